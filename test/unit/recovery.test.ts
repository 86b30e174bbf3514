import { describe, expect, it } from 'vitest';
import {
  gaveUpSuffix,
  RECOVERY_ENV,
  recoveryConfigFromEnv,
  recoveryDelaySeconds,
} from '../../functions/recovery/config.js';
import { ExecutionStatusChange, executionFailureMessage } from '../../functions/recovery/execution-events.js';

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
      [RECOVERY_ENV.baseDelaySeconds]: '0.5',
      [RECOVERY_ENV.staleAfterSeconds]: '60',
      [RECOVERY_ENV.delayedStart]: 'arn:aws:states:us-east-1:1:stateMachine:d',
    });
    expect(config).toEqual({
      automatic: true,
      baseDelaySeconds: 0.5,
      staleAfterSeconds: 60,
      delayedStart: 'arn:aws:states:us-east-1:1:stateMachine:d',
    });
    expect(recoveryConfigFromEnv({ [RECOVERY_ENV.automatic]: 'off' }).automatic).toBe(false);
    expect(() => recoveryConfigFromEnv({ [RECOVERY_ENV.baseDelaySeconds]: '-1' })).toThrow(
      'RECOVERY_BASE_DELAY_SECONDS must be a number >= 0',
    );
  });

  it('words the final message', () => {
    expect(`boom${gaveUpSuffix(2)}`).toBe('boom — automatic recovery gave up after 2 attempts');
    expect(gaveUpSuffix(1)).toBe(' — automatic recovery gave up after 1 attempt');
  });
});

describe('execution status change events', () => {
  const event = {
    version: '0',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    detail: {
      executionArn: 'arn:aws:states:us-east-1:1:execution:m:w-0',
      stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:m',
      status: 'TIMED_OUT',
      input: '{"workflowId":"w"}',
      error: 'States.Timeout',
      cause: null,
    },
  };

  it('accepts what AWS sends and rejects other events', () => {
    expect(ExecutionStatusChange.safeParse(event).success).toBe(true);
    expect(ExecutionStatusChange.safeParse({ ...event, 'detail-type': 'Scheduled Event' }).success).toBe(
      false,
    );
    expect(ExecutionStatusChange.safeParse({ ...event, detail: { status: 'FAILED' } }).success).toBe(false);
  });

  it('describes an ended execution for the record', () => {
    expect(executionFailureMessage(event.detail)).toBe('Execution TIMED_OUT: States.Timeout');
    expect(executionFailureMessage({ status: 'ABORTED', error: 'Stop', cause: 'by hand' })).toBe(
      'Execution ABORTED: Stop (by hand)',
    );
  });
});
