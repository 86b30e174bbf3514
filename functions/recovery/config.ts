import { type Environment, setting } from '../config/environment.js';

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
