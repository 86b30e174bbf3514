import { describe, expect, it } from 'vitest';
import { idOf, useLocalCli } from './local-cli.js';

// `job-orchestrator history` against the local stack: the run's Step Functions execution history,
// read through GET /workflows/{id}/history, as a timeline with the retry and its error.

const { cli } = useLocalCli('cli-history');

describe('job-orchestrator history against the local stack', () => {
  it('prints the run as a timeline: states, task resources, the retry of label and its error', async () => {
    const metadata = JSON.stringify({ dataset: { items: 20 }, faults: { label: { failTimes: 1 } } });
    const id = idOf(
      (await cli('submit', 'dataset-smoke', 'cli-history', '--metadata', metadata, '--start')).text,
    );
    expect((await cli('watch', id, '--interval', '100')).code).toBe(0);

    const shown = await cli('history', id);
    expect(shown.code).toBe(0);
    const [head, header, ...rows] = shown.text.split('\n');
    expect(head).toMatch(new RegExp(`^${id}  run 0  arn:aws:states:[^ ]+:execution:[^ ]+:${id}-0$`));
    expect(header).toMatch(/^time\s+event\s+state\s+detail$/);
    expect(rows[0]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3}\s+ExecutionStarted$/);
    expect(rows.at(-1)).toMatch(/ExecutionSucceeded$/);
    // label's first attempt fails with the injected error and is retried; its state and function are named.
    const failed = rows.filter((row) => row.includes('LambdaFunctionFailed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(
      /LambdaFunctionFailed\s+Run label\s+\S*label\S*\s+Error: injected failure 1 of 1 in label\s+→ retried$/i,
    );
    // The deduplicate branch runs beside it: the retry is the next event of label's, not of the history.
    const after = rows.slice(rows.indexOf(failed[0] as string) + 1);
    const retry = after.find((row) => /LambdaFunctionScheduled\s+Run label/.test(row));
    expect(retry).toMatch(/LambdaFunctionScheduled\s+Run label\s+retry 1\s+\S*label\S*$/i);
    expect(rows.some((row) => /TaskStateEntered\s+Run download$/.test(row))).toBe(true);

    // --json: the API's answer, every page in one.
    const json = JSON.parse((await cli('history', id, '--json')).text);
    expect(json).toMatchObject({ workflowId: id, run: 0, executionFound: true, runs: [{ run: 0 }] });
    expect(json.events).toHaveLength(rows.length);
    expect(json.nextCursor).toBeUndefined();
  }, 60_000);

  it('a workflow never started, a run it does not have, a bad --run', async () => {
    const id = idOf((await cli('submit', 'dataset-smoke', 'cli-history-2')).text);
    expect((await cli('history', id)).text).toBe(`${id} has not been started: no execution history`);
    const missing = await cli('history', id, '--run', '1');
    expect(missing.code).toBe(1);
    expect(missing.error).toMatch(/^400 ValidationError: run 1 does not exist: it has not been started/);
    expect((await cli('history', id, '--run', 'last')).code).toBe(64);
  });
});
