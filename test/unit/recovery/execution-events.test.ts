import { describe, expect, it } from 'vitest';
import { ExecutionStatusChange } from '../../../functions/recovery/execution-events.js';

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
});
