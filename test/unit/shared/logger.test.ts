import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, SERVICE_NAME } from '../../../functions/shared/logger.js';
import { powertools } from '../../../functions/shared/powertools.js';

// Before the logger module loads, as on AWS: a container started on demand reports its cold start.
vi.hoisted(() => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

const context = (awsRequestId: string): Context =>
  ({
    functionName: 'step-label',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:step-label',
    memoryLimitInMB: '512',
    awsRequestId,
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** Everything written to stdout and stderr while `run` runs, kept off the test output. */
const captured = async (run: () => Promise<unknown>): Promise<string[]> => {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      chunks.push(String(chunk));
      return true;
    });
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return chunks.join('').split('\n').filter(Boolean);
};

/** A handler's own work: what every handler here does with the shared logger. */
const work = (log: Logger) => async (event: unknown) => {
  log.appendKeys({
    workflowId: (event as { workflowId: string }).workflowId,
    step: 'label',
    attempt: 2,
  });
  log.info('step started');
  log.warn('step attempt failed', { error: new Error('boom'), retryable: true });
  return {};
};

afterEach(() => {
  delete process.env.LOG_FORMAT;
});

describe('the shared logger on AWS', () => {
  it("prints the same JSON as one Powertools logger with the Lambda context: same keys, order and values, cold start on the container's first invocation only", async () => {
    // What every handler did before invocations had loggers of their own.
    const plain = new Logger({ serviceName: SERVICE_NAME });
    const before = middy()
      .use(injectLambdaContext(plain, { resetKeys: true }))
      .handler(work(plain));
    const now = middy().use(powertools()).handler(work(logger));

    const run = (handler: typeof now) => async () => {
      await handler({ workflowId: 'wf-1' }, context('req-1'));
      await handler({ workflowId: 'wf-2' }, context('req-2'));
    };
    const withoutTime = (line: string): Record<string, unknown> => {
      const { timestamp, error, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(timestamp).toEqual(expect.any(String));
      // The error's location is where it was made: the same function, a different line number.
      return { ...rest, ...(error ? { error: { ...(error as object), location: '-', stack: '-' } } : {}) };
    };
    const expected = (await captured(run(before))).map(withoutTime);
    const actual = (await captured(run(now))).map(withoutTime);

    expect(actual).toHaveLength(4);
    expect(actual).toEqual(expected);
    expect(actual.map((line) => Object.keys(line))).toEqual(expected.map((line) => Object.keys(line)));
    expect(actual.map((line) => line.cold_start)).toEqual([true, true, false, false]);
    expect(actual[1]).toMatchObject({
      level: 'WARN',
      message: 'step attempt failed',
      service: SERVICE_NAME,
      function_name: 'step-label',
      function_request_id: 'req-1',
      workflowId: 'wf-1',
      step: 'label',
      attempt: 2,
      retryable: true,
      error: { name: 'Error', message: 'boom' },
    });
  });

  it('keeps a test’s spy on a logger method (vi.spyOn), inside and outside an invocation', async () => {
    const spy = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    logger.error('outside');
    await middy()
      .use(powertools())
      .handler(async () => {
        logger.error('inside');
      })(undefined, context('req-spy'));
    expect(spy.mock.calls.map((call) => call[0])).toEqual(['outside', 'inside']);
    spy.mockRestore();
  });
});

describe('the shared logger with LOG_FORMAT=line (the local stack)', () => {
  it('prints one line per event: time, level, function, workflow, step, attempt, message, other keys', async () => {
    process.env.LOG_FORMAT = 'line';
    const lines = await captured(() =>
      middy().use(powertools()).handler(work(logger))({ workflowId: 'wf-9' }, context('req-9')),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}step-label {2}wf=wf-9 step=label attempt=2 {2}step started$/,
      ),
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} WARN {2}step-label {2}wf=wf-9 step=label attempt=2 {2}step attempt failed {2}error="boom" retryable=true$/,
      ),
    ]);
  });
});
