import { describe, expect, it } from 'vitest';
import {
  consoleUrlOf,
  executionArnOf,
  executionFailureMessage,
  executionName,
} from '../../../functions/contract/executions.js';

describe('executions', () => {
  it('names a run `<workflowId>-<run>` and knows its ARN before it starts', () => {
    const machine = 'arn:aws:states:eu-west-1:123:stateMachine:job-orchestrator-dev-dataset-build';
    expect(executionName('01ABC', 2)).toBe('01ABC-2');
    expect(executionArnOf(machine, executionName('01ABC', 2))).toBe(
      'arn:aws:states:eu-west-1:123:execution:job-orchestrator-dev-dataset-build:01ABC-2',
    );
  });

  it('links an execution to the Step Functions console of its region', () => {
    expect(consoleUrlOf('arn:aws:states:eu-west-1:123:execution:m:w-0')).toBe(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123:execution:m:w-0',
    );
  });

  it('describes an ended execution for the record', () => {
    expect(executionFailureMessage({ status: 'TIMED_OUT', error: 'States.Timeout', cause: null })).toBe(
      'Execution TIMED_OUT: States.Timeout',
    );
    expect(executionFailureMessage({ status: 'ABORTED', error: 'Stop', cause: 'by hand' })).toBe(
      'Execution ABORTED: Stop (by hand)',
    );
  });
});
