import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { datasetBuild } from '../../state-machines/definitions/dataset-build.js';
import { apiClient } from '../e2e/client.js';
import { type FaultyApp, startFaultyApp } from '../support/fault-app.js';
import { exemptFromInvariants } from '../support/invariants-hook.js';

/*
 * Issue 20, "logs never print metadata values": users put credentials and URLs in `metadata`. Every
 * handler of the app runs here at DEBUG, with Powertools' event logging on (the worst a stage can be
 * configured to), through a create that completes, one whose step fails for good, refused creates,
 * and a create whose start fails; in JSON (as on AWS) and in the local stack's lines. Whatever the
 * process prints, the secret values are not in it; their keys are.
 */

const SECRET = `sk_live_${'7f3a9c'.repeat(4)}`;
const PASSWORD = 'hunter2-correct-horse-battery';
const metadata = {
  apiToken: SECRET,
  callbackUrl: `https://builder:${PASSWORD}@hooks.example.com/jobs?token=${SECRET}`,
  dataset: { items: 20, seed: 3 },
};

let test: FaultyApp;
let printed: string[] = [];

beforeAll(async () => {
  test = await startFaultyApp(
    [datasetBuild],
    { seed: 1, weights: { unavailable: 1 }, only: ['StartExecution'] },
    { AUTOMATIC_RECOVERY: 'off', POWERTOOLS_LOG_LEVEL: 'DEBUG', POWERTOOLS_LOGGER_LOG_EVENT: 'true' },
  );
}, 120_000);
afterAll(() => test?.close());
afterEach(() => vi.restoreAllMocks());

/** Everything the process prints from here: both streams and the console, kept off the test output. */
const capture = () => {
  printed = [];
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    });
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    });
};

const leaks = (text: string) =>
  [SECRET, PASSWORD, encodeURIComponent(PASSWORD), encodeURIComponent(SECRET)].filter((s) =>
    text.includes(s),
  );

/** Every path a create takes: completed, failed for good, refused (400 twice), start failed (503). */
const scenario = async (tag: string) => {
  const api = apiClient(test.app.api.url);
  const ok = await api.post('/workflows', {
    jobId: `logs-${tag}`,
    definition: 'dataset-build',
    metadata,
    start: true,
  });
  expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  const failing = await api.post('/workflows', {
    jobId: `logs-${tag}-fail`,
    definition: 'dataset-build',
    metadata: { ...metadata, faults: { label: { fatal: true } } },
    start: true,
  });
  expect(failing.status).toBe(201);
  const unknownField = await api.post('/workflows', {
    jobId: `logs-${tag}-bad`,
    definition: 'dataset-build',
    metadata,
    secret: SECRET,
  });
  expect(unknownField.status).toBe(400);
  const tooLarge = await api.post('/workflows', {
    jobId: `logs-${tag}-big`,
    definition: 'dataset-build',
    metadata: { ...metadata, blob: SECRET.repeat(600) },
  });
  expect(tooLarge.status).toBe(400);
  test.sfnFaults.setRate(1);
  const unavailable = await api
    .post('/workflows', { jobId: `logs-${tag}-503`, definition: 'dataset-build', metadata, start: true })
    .finally(() => test.sfnFaults.setRate(0));
  expect(unavailable.status).toBe(503);
  // Left failed on purpose: its start never reached Step Functions.
  exemptFromInvariants(unavailable.body.details.workflow.workflowId, 'start refused by injected faults');
  const ended = {
    ok: (await api.waitFor(ok.body.workflowId)).status,
    failing: (await api.waitFor(failing.body.workflowId)).status,
  };
  return { workflowId: ok.body.workflowId as string, failedId: failing.body.workflowId as string, ended };
};

describe('log output of every handler', () => {
  it('prints metadata keys and sizes, never its values (JSON lines, as on AWS)', async () => {
    test.app.configure({ LOG_FORMAT: 'json' });
    capture();
    const { workflowId, failedId, ended } = await scenario('json');
    vi.restoreAllMocks();
    const output = printed.join('\n');
    expect(leaks(output)).toEqual([]);
    expect(ended).toEqual({ ok: 'completed', failing: 'failed' });
    // The handlers did log, at DEBUG, events included: the check is not vacuous.
    expect(output).toContain(workflowId);
    expect(output).toContain(failedId);
    expect(output).toContain('Lambda invocation event');
    expect(output).toContain('could not start execution');
    expect(output).toMatch(/"body":\{"bytes":\d+\}/);
  }, 120_000);

  it('prints metadata keys and sizes, never its values (the local stack lines)', async () => {
    test.app.configure({ LOG_FORMAT: 'line' });
    capture();
    const { workflowId, ended } = await scenario('line');
    vi.restoreAllMocks();
    const output = printed.join('\n');
    expect(leaks(output)).toEqual([]);
    expect(ended).toEqual({ ok: 'completed', failing: 'failed' });
    expect(output).toContain(workflowId);
    // (A line cuts long values: the event's body is past the cut here, its summary is checked above.)
    expect(output).toMatch(/ControlApiHandler {2}Lambda invocation event {2}event=/);
  }, 120_000);
});
