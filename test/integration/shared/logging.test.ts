import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../functions/shared/logger.js';
import { createStepHandler } from '../../../functions/steps/create-step-handler.js';
import { datasetBuild } from '../../../state-machines/definitions/dataset-build.js';
import { apiEvent, startTestApi, type TestApi } from '../../api/support.js';

// Before the handlers' modules load: the logger keeps its initial level (warm invocations reset to it).
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

let api: TestApi;
let lines: Record<string, unknown>[] = [];

/** Every JSON line the handlers write, kept off the test output (Powertools: info to stdout, warn/error to stderr). */
const capture = () => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      for (const line of String(chunk).split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.service === 'job-orchestrator') lines.push(parsed);
      }
      return true;
    });
  }
};

const context = (awsRequestId: string, functionName = 'step-download'): Context =>
  ({
    functionName,
    awsRequestId,
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** Resolves `arrive()` for every party once all of them have arrived: their work overlaps in time. */
const barrier = (parties: number) => {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    arrive: () => {
      arrived++;
      if (arrived === parties) release();
      return all;
    },
  };
};

beforeAll(async () => {
  api = await startTestApi();
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => api.close());

const createStarted = async (headers: Record<string, string>) => {
  const created = await api.call('POST', '/workflows', {
    headers,
    body: { jobId: 'job-log', definition: 'dataset-build', start: true },
  });
  expect(created.status).toBe(201);
  return created.body as { workflowId: string; jobId: string; executionArn: string };
};

describe('API handler log lines', () => {
  it('carry the caller-given x-correlation-id, also kept on the workflow and sent to the execution', async () => {
    capture();
    const workflow = await createStarted({ 'X-Correlation-Id': 'corr-api-1' });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ correlation_id: 'corr-api-1' });
    expect(lines.at(-1)).toMatchObject({ workflowId: workflow.workflowId, jobId: 'job-log' });
    expect((await api.workflows.getById(workflow.workflowId))?.correlationId).toBe('corr-api-1');
    const start = api.sfnCalls.find((c) => String(c.input.name).startsWith(workflow.workflowId));
    expect(JSON.parse(String(start?.input.input))).toMatchObject({ correlationId: 'corr-api-1' });
  });

  it("use API Gateway's request id when the caller sends none, and never leak into the next request", async () => {
    capture();
    const event = {
      ...apiEvent('GET', '/definitions'),
      requestContext: { requestId: 'apigw-req-7' },
    } as Parameters<TestApi['handler']>[0];
    const response = await api.handler(event);
    expect(response.headers?.['x-correlation-id']).toBe('apigw-req-7');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.correlation_id).toBe('apigw-req-7');
      expect(line.workflowId).toBeUndefined();
    }
  });
});

describe('step handler log lines', () => {
  const stepEvent = (
    workflow: { workflowId: string; jobId: string; executionArn: string },
    step = 'download',
    correlationId = 'corr-step-1',
  ) => ({
    workflowId: workflow.workflowId,
    jobId: workflow.jobId,
    definition: datasetBuild.name,
    step,
    stepIndex: datasetBuild.steps.findIndex((s) => s.name === step),
    stepNames: datasetBuild.steps.map((s) => s.name),
    maxRetries: 3,
    nonRetryable: [],
    completesWorkflow: false,
    executionArn: workflow.executionArn,
    dependencies: [],
    correlationId,
  });

  it('carry workflowId, jobId, step, attempt and the correlation id, on success and on failure', async () => {
    const workflow = await createStarted({ 'x-correlation-id': 'corr-step-1' });
    const repos = () => ({ workflows: api.workflows, tasks: api.tasks });
    let fail = true;
    const handler = createStepHandler(async () => {
      logger.info('step work');
      if (fail) throw new Error('flaky download');
      return { count: 1 };
    }, repos);

    capture();
    await expect(handler(stepEvent(workflow), context('attempt-1'))).rejects.toThrow('flaky download');
    fail = false;
    await handler(stepEvent(workflow), context('attempt-2'));

    const messages = lines.map((l) => l.message);
    expect(messages).toEqual(
      expect.arrayContaining(['step started', 'step work', 'step attempt failed', 'step completed']),
    );
    for (const line of lines) {
      expect(line).toMatchObject({
        correlation_id: 'corr-step-1',
        workflowId: workflow.workflowId,
        jobId: 'job-log',
        step: 'download',
        function_request_id: expect.stringMatching(/^attempt-/),
      });
      expect([1, 2]).toContain(line.attempt);
    }
    expect(lines.find((l) => l.message === 'step completed')).toMatchObject({ attempt: 2 });
  });

  it('of two step functions running at the same time in one process never mix their keys', async () => {
    const first = await createStarted({ 'x-correlation-id': 'corr-first' });
    const second = await createStarted({ 'x-correlation-id': 'corr-second' });
    const repos = () => ({ workflows: api.workflows, tasks: api.tasks });
    const together = barrier(2);
    // Each logs, waits until the other is inside its own work too, appends a key, logs again;
    // validate then fails, so its failure is logged (onError) while download may still be running.
    const work = (step: string) => async () => {
      logger.info(`${step} work begins`);
      await together.arrive();
      logger.appendKeys({ own: step });
      logger.info(`${step} work ends`);
      if (step === 'validate') throw new Error('validate broke');
      return { step };
    };
    const download = createStepHandler(work('download'), repos);
    const validate = createStepHandler(work('validate'), repos);

    capture();
    const outcomes = await Promise.allSettled([
      download(stepEvent(first, 'download', 'corr-first'), context('req-download', 'step-download')),
      validate(stepEvent(second, 'validate', 'corr-second'), context('req-validate', 'step-validate')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);

    // They overlapped: both began before either ended.
    const messages = lines.map((l) => l.message);
    const ended = Math.min(messages.indexOf('download work ends'), messages.indexOf('validate work ends'));
    expect(messages.indexOf('download work begins')).toBeLessThan(ended);
    expect(messages.indexOf('validate work begins')).toBeLessThan(ended);
    expect(messages).toEqual(expect.arrayContaining(['step completed', 'step attempt failed']));

    const expected = {
      'req-download': {
        function_name: 'step-download',
        workflowId: first.workflowId,
        step: 'download',
        correlation_id: 'corr-first',
      },
      'req-validate': {
        function_name: 'step-validate',
        workflowId: second.workflowId,
        step: 'validate',
        correlation_id: 'corr-second',
      },
    } as const;
    for (const line of lines) {
      const own = expected[line.function_request_id as keyof typeof expected];
      expect(own, `line outside both invocations: ${JSON.stringify(line)}`).toBeDefined();
      expect(line).toMatchObject({ ...own, jobId: 'job-log', attempt: 1 });
      if (line.own !== undefined) expect(line.own).toBe(own.step);
    }
    for (const step of ['download', 'validate'])
      expect(lines.find((l) => l.message === `${step} work ends`)).toMatchObject({ own: step });
    expect(lines.find((l) => l.message === 'step attempt failed')).toMatchObject({
      ...expected['req-validate'],
      error: 'validate broke',
    });
  });

  it('outside an invocation come from the root logger, with no key of an invocation that ran before', async () => {
    const workflow = await createStarted({ 'x-correlation-id': 'corr-after' });
    const repos = () => ({ workflows: api.workflows, tasks: api.tasks });
    const handler = createStepHandler(async () => ({ ok: true }), repos);
    capture();
    await handler(stepEvent(workflow, 'download', 'corr-after'), context('req-before'));
    logger.info('between invocations');
    const outside = lines.find((l) => l.message === 'between invocations');
    expect(outside).toBeDefined();
    for (const key of ['function_name', 'function_request_id', 'workflowId', 'step', 'correlation_id'])
      expect(outside).not.toHaveProperty(key);
  });
});
