/** Env vars of the recovery Lambdas (set by infra/recovery.ts). */
export const RECOVERY_ENV = {
  /** ARN of the delayed-start state machine (Wait, then the start-run Lambda). */
  delayedStart: 'DELAYED_START_STATE_MACHINE',
  /** First delay; attempt n (0-based) waits base × 2^n. Fractions are fine (the Wait uses a timestamp). */
  baseDelaySeconds: 'RECOVERY_BASE_DELAY_SECONDS',
  /** `off` stops automatic recovery (events are still published, records still repaired). */
  automatic: 'AUTOMATIC_RECOVERY',
  /** Age after which the reconciler repairs a record whose execution is gone or never started. */
  staleAfterSeconds: 'RECONCILE_STALE_AFTER_SECONDS',
} as const;

export const DEFAULT_BASE_DELAY_SECONDS = 30;
export const DEFAULT_STALE_AFTER_SECONDS = 600;

export interface RecoveryConfig {
  readonly automatic: boolean;
  readonly baseDelaySeconds: number;
  readonly staleAfterSeconds: number;
  readonly delayedStart?: string;
}

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0 (got ${raw})`);
  return value;
};

export const recoveryConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): RecoveryConfig => {
  const delayedStart = env[RECOVERY_ENV.delayedStart];
  return {
    automatic: env[RECOVERY_ENV.automatic] !== 'off',
    baseDelaySeconds: number(env, RECOVERY_ENV.baseDelaySeconds, DEFAULT_BASE_DELAY_SECONDS),
    staleAfterSeconds: number(env, RECOVERY_ENV.staleAfterSeconds, DEFAULT_STALE_AFTER_SECONDS),
    ...(delayedStart ? { delayedStart } : {}),
  };
};

/** Delay before recovery run `attempt + 1`, where `attempt` recoveries happened already: 30 s, 60 s, 120 s... */
export const recoveryDelaySeconds = (attempt: number, baseDelaySeconds: number): number =>
  baseDelaySeconds * 2 ** attempt;

/** Appended to the error of a workflow automatic recovery gave up on. */
export const gaveUpSuffix = (attempts: number): string =>
  ` — automatic recovery gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
