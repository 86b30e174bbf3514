import { type Environment, setting } from '../config/environment.js';
import { executionFailureMessage } from '../contract/executions.js';

export interface RecoveryConfig {
  readonly automatic: boolean;
  readonly baseDelaySeconds: number;
  readonly staleAfterSeconds: number;
  readonly delayedStart?: string;
}

/** The recovery handlers' settings (functions/config/environment.ts names and validates them). */
export const recoveryConfigFromEnv = (env: Environment = process.env): RecoveryConfig => {
  const delayedStart = setting('delayedStart', env);
  return {
    automatic: setting('automaticRecovery', env),
    baseDelaySeconds: setting('recoveryBaseDelaySeconds', env),
    staleAfterSeconds: setting('reconcileStaleAfterSeconds', env),
    ...(delayedStart ? { delayedStart } : {}),
  };
};

/** Delay before recovery run `attempt + 1`, where `attempt` recoveries happened already: 30 s, 60 s, 120 s... */
export const recoveryDelaySeconds = (attempt: number, baseDelaySeconds: number): number =>
  baseDelaySeconds * 2 ** attempt;

/** Appended to the error of a workflow automatic recovery gave up on. */
export const gaveUpSuffix = (attempts: number): string =>
  ` — automatic recovery gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;

/**
 * A run is recorded before its execution is started (Orchestrator.launch writes the record, then
 * calls StartExecution), so for a short while a missing execution may still be starting. Past this
 * (or the stale threshold, if shorter) after the record's last write, an execution that does not
 * exist is a dead run: the launcher (a Lambda, its SDK retries included) has long given up.
 */
export const LAUNCH_WINDOW_SECONDS = 60;

/** The error of a run whose execution no longer exists, as its workflow records it. */
export const LOST_EXECUTION_ERROR = 'Interrupted';

/**
 * The message of a workflow whose execution no longer exists (the engine that ran it is gone, or it
 * was never started): `Execution LOST: Interrupted (<cause>)`, worded like an execution that ended.
 */
export const lostExecutionMessage = (cause = 'Step Functions has no such execution'): string =>
  executionFailureMessage({ status: 'LOST', error: LOST_EXECUTION_ERROR, cause });
