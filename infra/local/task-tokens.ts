import { randomBytes } from 'node:crypto';

/** An error of the Step Functions API, named as the real service names it (the SDK maps the name). */
export class SfnApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** An error the waiting task fails with: Error = name, Cause = message, as Catch and Retry see it. */
const taskError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

export interface TaskTokenMeta {
  readonly executionArn: string;
  readonly stateName: string;
  /** The task's TimeoutSeconds: after it, the token is closed (TaskTimedOut to late callers). */
  readonly timeoutSeconds?: number;
  /** The task's HeartbeatSeconds: without a heartbeat in time, the task fails with States.HeartbeatTimeout. */
  readonly heartbeatSeconds?: number;
}

interface Pending {
  readonly meta: TaskTokenMeta;
  readonly settled: Promise<unknown>;
  resolve(output: unknown): void;
  reject(error: Error): void;
  timeout?: NodeJS.Timeout;
  heartbeat?: NodeJS.Timeout;
}

// 48 random bytes, base64url: opaque, unguessable, and recognisable as one of ours.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{64}$/;
/** Closed tokens remembered so late callers get TaskTimedOut, not TaskDoesNotExist; bounded. */
const CLOSED_LIMIT = 10_000;
/** setTimeout holds at most 2^31-1 ms (about 24.8 days); longer timeouts would fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;

/**
 * The task tokens of `.waitForTaskToken` tasks: a task creates one, hands it to whoever will
 * answer (through its payload), and waits; SendTaskSuccess/Failure/Heartbeat reach it here.
 * Errors match the real API: InvalidToken for a malformed token, TaskDoesNotExist for one never
 * issued, TaskTimedOut for one whose task has closed (answered, timed out or execution stopped).
 */
export class TaskTokens {
  private readonly pending = new Map<string, Pending>();
  private readonly closed = new Set<string>();

  create(meta: TaskTokenMeta): string {
    const token = randomBytes(48).toString('base64url');
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const settled = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting yet when a token fails (stopped execution): that is not an unhandled rejection.
    settled.catch(() => undefined);
    const entry: Pending = { meta, settled, resolve, reject };
    if (meta.timeoutSeconds)
      entry.timeout = setTimeout(
        () => this.close(token, taskError('States.Timeout', 'Task timed out')),
        Math.min(meta.timeoutSeconds, MAX_TIMER_SECONDS) * 1000,
      );
    this.pending.set(token, entry);
    this.armHeartbeat(token, entry);
    return token;
  }

  /** Resolves with the output sent with SendTaskSuccess; rejects with the SendTaskFailure error. */
  wait(token: string): Promise<unknown> {
    return this.entry(token).settled;
  }

  /** SendTaskSuccess: `output` is the JSON text the API receives. */
  succeed(token: string, output: string): void {
    const entry = this.entry(token);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new SfnApiError('InvalidOutput', 'Invalid output: not JSON');
    }
    this.close(token);
    entry.resolve(parsed);
  }

  /** SendTaskFailure: the waiting task fails with Error = error, Cause = cause. */
  fail(token: string, error?: string, cause?: string): void {
    this.entry(token);
    this.close(token, taskError(error ?? '', cause ?? ''));
  }

  heartbeat(token: string): void {
    const entry = this.entry(token);
    this.armHeartbeat(token, entry);
  }

  /** Closes every open token of an execution (it stopped): its tasks can no longer be answered. */
  closeExecution(executionArn: string, reason = 'Execution stopped'): void {
    for (const [token, entry] of this.pending)
      if (entry.meta.executionArn === executionArn) this.close(token, taskError('States.Runtime', reason));
  }

  /** The open tokens, for inspection (tests, the local console). */
  open(): { token: string; meta: TaskTokenMeta }[] {
    return [...this.pending].map(([token, { meta }]) => ({ token, meta }));
  }

  private entry(token: string): Pending {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token))
      throw new SfnApiError('InvalidToken', 'Invalid Token: malformed task token');
    const entry = this.pending.get(token);
    if (entry) return entry;
    if (this.closed.has(token))
      throw new SfnApiError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    throw new SfnApiError('TaskDoesNotExist', 'Task does not exist: the token was never issued');
  }

  private armHeartbeat(token: string, entry: Pending): void {
    clearTimeout(entry.heartbeat);
    if (!entry.meta.heartbeatSeconds) return;
    entry.heartbeat = setTimeout(
      () => this.close(token, taskError('States.HeartbeatTimeout', 'Task heartbeat timed out')),
      Math.min(entry.meta.heartbeatSeconds, MAX_TIMER_SECONDS) * 1000,
    );
  }

  /** Removes a token from the open set; with an error, the waiting task fails with it. */
  private close(token: string, error?: Error): void {
    const entry = this.pending.get(token);
    if (!entry) return;
    clearTimeout(entry.timeout);
    clearTimeout(entry.heartbeat);
    this.pending.delete(token);
    this.closed.add(token);
    if (this.closed.size > CLOSED_LIMIT) this.closed.delete(this.closed.values().next().value as string);
    if (error) entry.reject(error);
  }
}
