import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  decodeHistoryCursor,
  encodeHistoryCursor,
  runsOf,
  workflowHistory,
} from '../../../functions/orchestrator/history.js';
import { cutText, DATA_LIMIT, historyEventView } from '../../../functions/orchestrator/history-view.js';
import { workflowRecord } from './records.js';

const ARN = (run: number) => `arn:aws:states:eu-west-1:123:execution:m:wf-1-${run}`;

const workflow = workflowRecord({
  recoveryAttempts: 1,
  executionArn: ARN(1),
  executionArns: [ARN(0), ARN(1)],
});

const event = (id: number): HistoryEvent => ({
  id,
  previousEventId: id - 1,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, id)),
  type: 'PassStateEntered',
  stateEnteredEventDetails: { name: `s${id}`, input: '{}', inputDetails: { truncated: false } },
});

/** A GetExecutionHistory stand-in: its calls, and an answer (or an error named `fail`). */
const fakeSfn = (fail?: string) => {
  const calls: Record<string, unknown>[] = [];
  const sfn = {
    send: async (command: { input: Record<string, unknown> }) => {
      calls.push(command.input);
      if (fail) throw Object.assign(new Error(fail), { name: fail });
      return { events: [event(1), event(2)], nextToken: 'sfn-token-2' };
    },
  } as unknown as SFNClient;
  return { sfn, calls };
};

describe('the history event view', () => {
  it("keeps AWS's fields, with the timestamp as ISO text", () => {
    expect(historyEventView(event(3))).toEqual({
      id: 3,
      previousEventId: 2,
      timestamp: '2026-01-01T00:00:03.000Z',
      type: 'PassStateEntered',
      stateEnteredEventDetails: { name: 's3', input: '{}', inputDetails: { truncated: false } },
    });
  });

  it(`cuts each data text over ${DATA_LIMIT} bytes and flags it truncated; parameters and causes too`, () => {
    const big = `"${'é'.repeat(DATA_LIMIT)}"`;
    const view = historyEventView({
      id: 1,
      timestamp: new Date(0),
      type: 'TaskStateExited',
      stateExitedEventDetails: {
        name: 'x',
        output: big,
        outputDetails: { truncated: false },
        assignedVariables: { a: 'b'.repeat(DATA_LIMIT) },
      },
    });
    const exited = view.stateExitedEventDetails;
    expect(Buffer.byteLength(exited?.output ?? '')).toBeLessThanOrEqual(DATA_LIMIT);
    expect(exited?.output).toBe(`"${'é'.repeat((DATA_LIMIT - 2) / 2)}`);
    expect(exited?.outputDetails).toEqual({ truncated: true });
    expect(exited).not.toHaveProperty('assignedVariables');
    expect(exited?.assignedVariablesDetails).toEqual({ truncated: true });

    const scheduled = historyEventView({
      id: 2,
      timestamp: new Date(0),
      type: 'TaskScheduled',
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'r', parameters: big },
    }).taskScheduledEventDetails;
    expect(scheduled?.parameters?.length).toBeLessThan(big.length);
    const failed = historyEventView({
      id: 3,
      timestamp: new Date(0),
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'E', cause: 'c'.repeat(DATA_LIMIT + 1) },
    }).executionFailedEventDetails;
    expect(failed).toEqual({ error: 'E', cause: 'c'.repeat(DATA_LIMIT) });
    expect(cutText('short')).toBeUndefined();
    // A 4-byte character split at the limit is dropped whole.
    expect(cutText('ab😀', 4)).toBe('ab');
  });
});

describe('the runs of a workflow and its history cursor', () => {
  it('numbers the executions from 0; a record with only executionArn has that one run', () => {
    expect(runsOf(workflow)).toEqual([
      { run: 0, executionArn: ARN(0) },
      { run: 1, executionArn: ARN(1) },
    ]);
    const { executionArns: _, ...legacy } = workflow;
    expect(runsOf(legacy)).toEqual([{ run: 0, executionArn: ARN(1) }]);
    expect(runsOf({ ...workflow, executionArn: undefined, executionArns: [] })).toEqual([]);
  });

  it("wraps Step Functions' token with its run, for this workflow only", () => {
    const cursor = encodeHistoryCursor('wf-1', { run: 1, token: 'abc' });
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeHistoryCursor('wf-1', cursor)).toEqual({ run: 1, token: 'abc' });
    expect(() => decodeHistoryCursor('wf-2', cursor)).toThrow(
      expect.objectContaining({ name: 'InvalidCursorError' }),
    );
  });
});

describe('workflowHistory', () => {
  it("reads the current run's page from Step Functions and wraps its nextToken", async () => {
    const { sfn, calls } = fakeSfn();
    const page = await workflowHistory(sfn, workflow, { limit: 2 });
    expect(calls).toEqual([{ executionArn: ARN(1), maxResults: 2 }]);
    expect(page).toMatchObject({ run: 1, executionArn: ARN(1), executionFound: true });
    expect(page.events.map((e) => e.id)).toEqual([1, 2]);
    expect(decodeHistoryCursor('wf-1', page.nextCursor as string)).toEqual({ run: 1, token: 'sfn-token-2' });

    await workflowHistory(sfn, workflow, { cursor: encodeHistoryCursor('wf-1', { run: 0, token: 't' }) });
    expect(calls[1]).toEqual({ executionArn: ARN(0), maxResults: 25, nextToken: 't' });
  });

  it('a token Step Functions refuses is a bad cursor; an execution it does not have, no events; else the error', async () => {
    const cursor = encodeHistoryCursor('wf-1', { run: 1, token: 'old' });
    await expect(workflowHistory(fakeSfn('InvalidToken').sfn, workflow, { cursor })).rejects.toMatchObject({
      name: 'InvalidCursorError',
    });
    expect(await workflowHistory(fakeSfn('ExecutionDoesNotExist').sfn, workflow)).toEqual({
      workflowId: 'wf-1',
      runs: runsOf(workflow),
      run: 1,
      executionArn: ARN(1),
      executionFound: false,
      events: [],
    });
    await expect(workflowHistory(fakeSfn('ThrottlingException').sfn, workflow)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});
