import { InvalidTransitionError, NotFoundError } from '../domain/errors.js';
import { type TaskRecord, taskId } from '../domain/records.js';
import type { TaskStatus } from '../domain/statuses.js';
import { taskSourcesOf } from '../domain/transitions.js';
import {
  attribute,
  type Expr,
  ifNotExists,
  increment,
  isExpired,
  type UpdateOutcome,
  updateIf,
  writeStatus,
} from './conditions.js';
import { taskStatusKeys } from './index-keys.js';
import { fromTaskItem, RESET_FOR_ATTR, SKIP_FOR_ATTR, type TaskKey, taskKey } from './items.js';
import { queryAll } from './query.js';
import { TASK_TABLE } from './table-schema.js';
import { TaskReader } from './task-reads.js';

export type { TaskRepositoryOptions } from './task-reads.js';

export type TaskFields = Partial<Omit<TaskRecord, 'workflowId' | 'stepIndex' | 'status' | 'createdAt'>>;

export interface TaskTransitionOptions {
  readonly action: string;
  /** Allowed prior statuses, some of the sources of `to` in TASK_TRANSITIONS; default: all. */
  readonly from?: readonly TaskStatus[];
  readonly set?: TaskFields;
  readonly remove?: readonly (keyof TaskFields)[];
}

/** A status write as `write` takes it: set values may be operands, and a write may check more. */
interface Move extends Omit<TaskTransitionOptions, 'set' | 'remove'> {
  readonly set?: Record<string, unknown>;
  readonly remove?: readonly string[];
  readonly where?: (e: Expr) => string;
}

/** A clause keeping a write to the attempt of one execution (the run that ended), if given. */
const ofRun = (executionArn: string | undefined): Pick<Move, 'where'> =>
  executionArn
    ? {
        where: (e: Expr) =>
          `(attribute_not_exists(${e.name('executionArn')}) OR ${e.name('executionArn')} = ${e.value(executionArn)})`,
      }
    : {};

/** What a reset clears: the outcome of the run before. */
const RESET_FIELDS = [
  'errorMessage',
  'errorType',
  'startedAt',
  'completedAt',
  'actualDuration',
  'resultObject',
] as const;

/** One attempt of one run; a bare number for executions started before runs had tokens. */
export type Attempt = number | { readonly number: number; readonly runToken?: string };

/** Statuses from which a task has not finished: what cancelling a workflow stops. */
const OPEN_TASK_STATUSES = taskSourcesOf('cancelled');

export class TaskRepository extends TaskReader {
  async transition(key: TaskKey, to: TaskStatus, options: TaskTransitionOptions): Promise<TaskRecord> {
    return this.move(key, to, options, this.now());
  }

  /**
   * Starts an attempt of run `runToken`: the run's first (from `pending`: attempts start at 1) or a
   * retry (from `retrying`, or `running` when an invocation died): one write either way, the first
   * guess tried first. The condition names the run, so an invocation of an earlier run is refused
   * (docs/behaviour.md, "Runs"). Without a token (executions started before runs had one) any
   * source of `running` is accepted. retryCount takes the old `attempts`: every operand of one
   * UpdateItem reads the item as it was before the write.
   */
  async startAttempt(
    key: TaskKey,
    options: { executionArn: string; runToken?: string; retryOnly?: boolean },
  ): Promise<TaskRecord> {
    const now = this.now();
    const { executionArn, runToken } = options;
    const retry: Move = {
      action: 'start',
      from: runToken ? ['retrying', 'running'] : undefined,
      set: {
        executionArn,
        startedAt: ifNotExists('startedAt', now.toISOString()),
        attempts: increment('attempts'),
        totalAttempts: increment('totalAttempts'),
        retryCount: attribute('attempts'),
      },
      ...(runToken ? { where: (e: Expr) => `${e.name('runToken')} = ${e.value(runToken)}` } : {}),
    };
    if (!runToken) return this.move(key, 'running', retry, now);
    const first: Move = {
      action: 'start',
      from: ['pending'],
      set: {
        executionArn,
        runToken,
        startedAt: now.toISOString(),
        attempts: 1,
        retryCount: 0,
        totalAttempts: increment('totalAttempts'),
      },
      // Tasks written before runs had tokens belong to whichever run starts them first.
      where: (e) =>
        `(${e.name('runToken')} = ${e.value(runToken)} OR attribute_not_exists(${e.name('runToken')}))`,
    };
    if (!options.retryOnly) {
      const outcome = await this.write(key, 'running', first, now);
      if (outcome.ok) return fromTaskItem(outcome.attributes);
    }
    return this.move(key, 'running', retry, now);
  }

  /** False when `attempt` is no longer the current one: a late result Step Functions gave up on. */
  async completeAttempt(
    key: TaskKey,
    attempt: Attempt,
    options: {
      /** The result when small; `{}` when it is in the bucket (`resultObject`). */
      result: Record<string, unknown>;
      resultObject?: TaskRecord['resultObject'];
      startedAt?: string;
      now?: Date;
    },
  ): Promise<boolean> {
    const now = options.now ?? this.now();
    const started = options.startedAt ? Date.parse(options.startedAt) : Number.NaN;
    const actualDuration = Number.isNaN(started) ? undefined : Math.max(0, (now.getTime() - started) / 1000);
    const set = {
      result: options.result,
      ...(options.resultObject ? { resultObject: options.resultObject } : {}),
      completedAt: now.toISOString(),
      actualDuration,
    };
    const remove = ['errorMessage', 'errorType', ...(options.resultObject ? [] : ['resultObject'])];
    return this.attemptUpdate(key, attempt, 'completed', set, remove, now);
  }

  markRetrying(
    key: TaskKey,
    attempt: Attempt,
    error: { errorType: string; errorMessage: string },
  ): Promise<boolean> {
    return this.attemptUpdate(key, attempt, 'retrying', error, [], this.now());
  }

  /** → failed; with `ofExecution`, only while the task's attempt is that execution's (not a newer run's). */
  markFailed(
    key: TaskKey,
    error: { errorType: string; errorMessage: string },
    ofExecution?: string,
  ): Promise<TaskRecord> {
    const now = this.now();
    return this.move(
      key,
      'failed',
      { action: 'fail', set: { ...error, completedAt: now.toISOString() }, ...ofRun(ofExecution) },
      now,
    );
  }

  markSkipped(key: TaskKey): Promise<TaskRecord> {
    return this.transition(key, 'skipped', { action: 'skip' });
  }

  markCancelled(key: TaskKey, ofExecution?: string): Promise<TaskRecord> {
    const now = this.now();
    const cancel: Move = { action: 'cancel', set: { completedAt: now.toISOString() }, ...ofRun(ofExecution) };
    return this.move(key, 'cancelled', cancel, now);
  }

  /**
   * Cancels every unfinished task, one conditional write each; returns how many it cancelled. A
   * recovery the workflow committed is written out first, so the tasks it staged are cancelled too.
   */
  async cancelOpenTasks(workflowId: string): Promise<number> {
    const run = await this.currentRunOf(workflowId);
    if (run) await this.applyRecovery(workflowId, run);
    const open = (await this.getByWorkflow(workflowId)).filter((task) =>
      OPEN_TASK_STATUSES.includes(task.status),
    );
    const now = this.now();
    const cancel: Move = { action: 'cancel', set: { completedAt: now.toISOString() } };
    // A task that finished meanwhile keeps its outcome: its write is refused, and not counted.
    const outcomes = await Promise.all(open.map((task) => this.write(task, 'cancelled', cancel, now)));
    return outcomes.filter((outcome) => outcome.ok).length;
  }

  /**
   * Stages a recovery under its new run's token: the tasks it will run again and those it bypasses.
   * Nothing changes for a reader until the workflow commits that token; a refused recovery leaves
   * only these inert marks (docs/behaviour.md, "Runs").
   */
  async stageRecovery(
    workflowId: string,
    plan: { readonly rerun: readonly number[]; readonly skip: readonly number[] },
    runToken: string,
  ): Promise<void> {
    const mark = (stepIndex: number, attr: string) =>
      updateIf(this.doc, {
        tableName: this.tableName,
        key: taskKey({ workflowId, stepIndex }),
        parts: { add: { [attr]: new Set([runToken]) } },
        condition: (e) => `attribute_exists(${e.name('workflowId')})`,
      });
    await Promise.all([
      ...plan.rerun.map((index) => mark(index, RESET_FOR_ATTR)),
      ...plan.skip.map((index) => mark(index, SKIP_FOR_ATTR)),
    ]);
  }

  /**
   * Writes out what the recovery of run `runToken` staged (resets → pending, bypasses → skipped),
   * once that run is committed. Idempotent: each write is conditioned on its mark, which it removes.
   */
  async applyRecovery(workflowId: string, runToken: string): Promise<void> {
    const partition = { name: TASK_TABLE.partitionKey.name, value: workflowId };
    const items = await queryAll(
      this.doc,
      { tableName: this.tableName, partition, consistent: true },
      this.now(),
    );
    const now = this.now();
    const marked = (attr: string) => (e: Expr) => `contains(${e.name(attr)}, ${e.value(runToken)})`;
    const clear = [RESET_FOR_ATTR, SKIP_FOR_ATTR];
    await Promise.all(
      items.map(async (item) => {
        const staged = fromTaskItem(item, runToken);
        const physical = fromTaskItem(item);
        // Neither marked for this run nor needing it: nothing to write out.
        if (physical.runToken === runToken || staged.runToken !== runToken) return;
        const key = { workflowId, stepIndex: physical.stepIndex };
        if (staged.status === physical.status) {
          // Already in the staged status (a pending task that never ran): only the run changes.
          await updateIf(this.doc, {
            tableName: this.tableName,
            key: taskKey(key),
            parts: { set: { runToken, updatedAt: now.toISOString() }, remove: clear },
            condition: marked(staged.status === 'skipped' ? SKIP_FOR_ATTR : RESET_FOR_ATTR),
          });
          return;
        }
        const reset = staged.status === 'pending';
        await this.write(
          key,
          staged.status,
          {
            action: reset ? 'reset' : 'skip',
            set: reset ? { retryCount: 0, attempts: 0, result: {}, runToken } : { runToken },
            remove: reset ? [...RESET_FIELDS, ...clear] : clear,
            where: marked(reset ? RESET_FOR_ATTR : SKIP_FOR_ATTR),
          },
          now,
        );
      }),
    );
  }

  /** Back to pending for a recovery run (which resets only the tasks that are not pending). */
  resetForRecovery(key: TaskKey): Promise<TaskRecord> {
    return this.transition(key, 'pending', {
      action: 'reset',
      set: { retryCount: 0, attempts: 0, result: {} },
      remove: [...RESET_FIELDS],
    });
  }

  /**
   * An outcome of the running attempt: refused (false) once another attempt started, or the task
   * belongs to another run (a late invocation of an earlier run changes nothing).
   */
  private async attemptUpdate(
    key: TaskKey,
    attempt: Attempt,
    to: TaskStatus,
    set: Record<string, unknown>,
    remove: readonly string[],
    now: Date,
  ): Promise<boolean> {
    const { number, runToken } =
      typeof attempt === 'number' ? { number: attempt, runToken: undefined } : attempt;
    const where = (e: Expr) =>
      [
        `${e.name('attempts')} = ${e.value(number)}`,
        ...(runToken ? [`${e.name('runToken')} = ${e.value(runToken)}`] : []),
      ].join(' AND ');
    const outcome = await this.write(
      key,
      to,
      { action: 'record', from: ['running'], set, remove, where },
      now,
    );
    return outcome.ok;
  }

  /** The one writer of a task's status: its condition is the sources of `to` in TASK_TRANSITIONS. */
  private write(key: TaskKey, to: TaskStatus, move: Move, now: Date): Promise<UpdateOutcome> {
    // In the sparse status index or out of it: a step's own transitions touch no index (index-keys.ts).
    const keys = taskStatusKeys(key.workflowId, to);
    return writeStatus(this.doc, {
      tableName: this.tableName,
      key: taskKey(key),
      to,
      from: taskSourcesOf(to, move.from),
      set: { ...move.set, ...keys.set },
      remove: [...(move.remove ?? []), ...keys.remove],
      ...(move.where ? { where: move.where } : {}),
      now,
    });
  }

  /** `write`, refused with InvalidTransitionError (or NotFoundError) when the condition fails. */
  private async move(key: TaskKey, to: TaskStatus, move: Move, now: Date): Promise<TaskRecord> {
    const outcome = await this.write(key, to, move, now);
    if (outcome.ok) return fromTaskItem(outcome.attributes);
    const current = outcome.old
      ? isExpired(outcome.old, now)
        ? undefined
        : outcome.old
      : await this.get(key.workflowId, key.stepIndex);
    if (!current) throw new NotFoundError('Task', taskId(key));
    throw new InvalidTransitionError('task', move.action, String(current.status), to);
  }
}
