import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { LineLogFormatter, LineLogItem, lineFormatRequested } from './log-line.js';
import { redactUserData } from './log-redaction.js';

/** Service name of every function (infra/lambda.ts sets the same value in POWERTOOLS_SERVICE_NAME). */
export const SERVICE_NAME = 'job-orchestrator';

/** Header a caller may send to name the correlation id of its request (else the API request id). */
export const CORRELATION_HEADER = 'x-correlation-id';

/** Warnings and errors go to stderr, the rest to stdout, as with Powertools' own console. */
const STDERR_FROM = LogLevelThreshold.WARN;

/**
 * Powertools' Logger, printing a `line` log item (log-line.ts) as text rather than JSON. Every other
 * item, which is every item unless `LOG_FORMAT=line`, is printed by Powertools unchanged, but for
 * user data: `metadata` and request bodies are printed as their keys and sizes (log-redaction.ts).
 */
class AppLogger extends Logger {
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new AppLogger(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    log.setAttributes(redactUserData(log.getAttributes()));
    if (!(log instanceof LineLogItem)) {
      super.printLog(logLevel, log);
      return;
    }
    const stream = logLevel >= STDERR_FROM ? process.stderr : process.stdout;
    stream.write(`${log.toLine()}\n`);
  }

  /**
   * A logger for one invocation: this one's options and persistent keys, and the container's cold
   * start (a new logger would call its first invocation a cold start).
   */
  forInvocation(): AppLogger {
    const child = new AppLogger(loggerOptions());
    const persistent = this.getPersistentLogAttributes();
    if (Object.keys(persistent).length > 0) child.appendPersistentKeys(persistent);
    child.coldStart = this.getColdStart();
    return child;
  }
}

/**
 * The options of every logger of the process, read when it is made: level from
 * POWERTOOLS_LOG_LEVEL, debug sampling from POWERTOOLS_LOGGER_SAMPLE_RATE, JSON unless the local
 * stack asks for lines (`LOG_FORMAT=line`).
 */
const loggerOptions = (): ConstructorOptions => ({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  ...(lineFormatRequested() ? { logFormatter: new LineLogFormatter() } : {}),
});

/** The logger outside any invocation (module load, tests, scripts). */
const root = new AppLogger(loggerOptions());

interface InvocationScope {
  readonly logger: Logger;
  /** False once the invocation has ended: whatever still runs in its async context logs on the root. */
  open: boolean;
}

const scopes = new AsyncLocalStorage<InvocationScope>();

const active = (): Logger => {
  const scope = scopes.getStore();
  return scope?.open ? scope.logger : root;
};

/**
 * Gives the current async context a logger of its own for one invocation: a new logger with the
 * root's options and persistent keys, so the keys one invocation appends (workflowId, step,
 * correlation_id, the Lambda context) are never seen by another running in the same process at
 * the same time, as the local stack and the tests run them. On AWS a container runs one invocation
 * at a time and the lines are the same as with one logger: same keys, same JSON; cold_start is
 * still true on the first invocation of the container only.
 *
 * Must be called synchronously at the start of the invocation (the first middleware's `before`,
 * see powertools.ts), so that everything the invocation then awaits inherits the scope.
 */
export const beginInvocationLogging = (): void => {
  scopes.enterWith({ logger: root.forInvocation(), open: true });
};

/** Ends the invocation's scope (the last middleware to run, see powertools.ts). */
export const endInvocationLogging = (): void => {
  const scope = scopes.getStore();
  if (scope) scope.open = false;
};

const dispatchers = new Map<PropertyKey, (...args: unknown[]) => unknown>();
/** A method of `logger` that runs on the logger of the moment, whenever it is called. */
const dispatcher = (property: PropertyKey) => {
  let dispatch = dispatchers.get(property);
  if (!dispatch) {
    dispatch = (...args: unknown[]) => {
      const target = active();
      return (Reflect.get(target, property, target) as (...a: unknown[]) => unknown).apply(target, args);
    };
    dispatchers.set(property, dispatch);
  }
  return dispatch;
};

/**
 * The logger every module imports: the invocation's own logger inside an invocation (see
 * beginInvocationLogging), the root logger outside one. Structured JSON (readable lines locally);
 * level from POWERTOOLS_LOG_LEVEL, debug sampling from POWERTOOLS_LOGGER_SAMPLE_RATE.
 *
 * Properties set on it (a test's `vi.spyOn(logger, 'error')`) stay on it and win over the
 * delegation.
 */
export const logger: Logger = new Proxy(Object.create(AppLogger.prototype) as Logger, {
  get(target, property) {
    if (Object.hasOwn(target, property)) return Reflect.get(target, property);
    const current = active();
    const value = Reflect.get(current, property, current);
    return typeof value === 'function' ? dispatcher(property) : value;
  },
});
