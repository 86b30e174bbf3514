import { beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvocationError, LocalLambdaRuntime } from '../../../infra/local/lambda-runtime.js';
import { fixtureTemplate } from '../../fixtures/local/stack.js';

let runtime: LocalLambdaRuntime;
let fixture: string;
let quick: string;

beforeAll(() => {
  runtime = new LocalLambdaRuntime({
    template: fixtureTemplate('runtime-table'),
    region: 'us-east-1',
    environment: { EXTRA: 'yes' },
  });
  fixture = runtime.functions.find((f) => f.logicalId.startsWith('Fixture'))?.arn as string;
  quick = runtime.functions.find((f) => f.logicalId.startsWith('Quick'))?.arn as string;
});

describe('LocalLambdaRuntime', () => {
  it('runs the entry module with the function’s environment and a Lambda context', async () => {
    const result = (await runtime.invoke(fixture, { action: 'echo', at: new Date(0) })) as Record<
      string,
      unknown
    >;
    expect(result).toMatchObject({
      echo: { action: 'echo', at: '1970-01-01T00:00:00.000Z' },
      table: 'runtime-table',
      arn: fixture,
      memory: '512',
    });
    expect(result.remaining).toBeGreaterThan(4000);
    expect(result.remaining).toBeLessThanOrEqual(5000);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBe(result.functionName);
    expect(process.env.EXTRA).toBe('yes');
    // Not applied: it would reach every child process of the local stack.
    expect(process.env.NODE_OPTIONS ?? '').not.toContain('--enable-source-maps');
  });

  it('accepts a name or a qualified ARN', async () => {
    const name = runtime.functionOf(fixture).name;
    await expect(runtime.invoke(name, { action: 'sleep', ms: 0 })).resolves.toEqual({ slept: 0 });
    await expect(runtime.invoke(`${fixture}:$LATEST`, { action: 'sleep', ms: 0 })).resolves.toEqual({
      slept: 0,
    });
    await expect(runtime.invoke('missing', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
    });
  });

  it('reports a handler error as Step Functions sees it: Error = errorType, Cause = JSON', async () => {
    const error = (await runtime
      .invoke(fixture, { action: 'fail', errorName: 'WorkflowPausedError' })
      .catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(LambdaInvocationError);
    expect(error.name).toBe('WorkflowPausedError');
    expect(JSON.parse(error.message)).toEqual({
      errorType: 'WorkflowPausedError',
      errorMessage: 'asked to fail',
      trace: [],
    });
  });

  it('enforces the function timeout like AWS (Sandbox.Timedout)', async () => {
    const error = (await runtime
      .invoke(quick, { action: 'sleep', ms: 1500 })
      .catch((e: Error) => e)) as Error;
    expect(error.name).toBe('Sandbox.Timedout');
    expect(JSON.parse(error.message).errorMessage).toBe('Task timed out after 1.00 seconds');
  });
});
