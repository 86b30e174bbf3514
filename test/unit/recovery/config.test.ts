import { describe, expect, it } from 'vitest';
import { envName } from '../../../functions/config/environment.js';
import {
  gaveUpSuffix,
  recoveryConfigFromEnv,
  recoveryDelaySeconds,
} from '../../../functions/recovery/config.js';

describe('recovery configuration', () => {
  it('grows the delay: base × 2^attempt (30 s, 60 s, 120 s by default)', () => {
    const { baseDelaySeconds } = recoveryConfigFromEnv({});
    expect([0, 1, 2].map((attempt) => recoveryDelaySeconds(attempt, baseDelaySeconds))).toEqual([
      30, 60, 120,
    ]);
    expect(recoveryDelaySeconds(2, 0.25)).toBe(1);
  });

  it('reads its variables, automatic recovery on unless AUTOMATIC_RECOVERY=off', () => {
    const config = recoveryConfigFromEnv({
      [envName('recoveryBaseDelaySeconds')]: '0.5',
      [envName('reconcileStaleAfterSeconds')]: '60',
      [envName('delayedStart')]: 'arn:aws:states:us-east-1:1:stateMachine:d',
    });
    expect(config).toEqual({
      automatic: true,
      baseDelaySeconds: 0.5,
      staleAfterSeconds: 60,
      delayedStart: 'arn:aws:states:us-east-1:1:stateMachine:d',
    });
    expect(recoveryConfigFromEnv({ [envName('automaticRecovery')]: 'off' }).automatic).toBe(false);
    expect(() => recoveryConfigFromEnv({ [envName('recoveryBaseDelaySeconds')]: '-1' })).toThrow(
      'RECOVERY_BASE_DELAY_SECONDS must be a number >= 0',
    );
  });

  it('words the final message', () => {
    expect(`boom${gaveUpSuffix(2)}`).toBe('boom — automatic recovery gave up after 2 attempts');
    expect(gaveUpSuffix(1)).toBe(' — automatic recovery gave up after 1 attempt');
  });
});
