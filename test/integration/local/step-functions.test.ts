import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfnEndpoint } from '../../../infra/local/sfn-endpoint.js';
import type { ExecutionStatusChangeEvent } from '../../../infra/local/status-events.js';
import type { LocalStepFunctions } from '../../../infra/local/step-functions.js';
import { fixtureState } from '../../fixtures/local/handler.js';
import {
  FIXTURE_REGION,
  type FixtureSfn,
  fixtureMachineArn,
  startFixtureSfn,
  until,
} from '../../support/fixture-sfn.js';

const region = FIXTURE_REGION;
const machineArn = fixtureMachineArn('fixture-machine');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let fixture: FixtureSfn;
let tableName: string;
let dynamo: DynamoDBClient;
let stepFunctions: LocalStepFunctions;
let endpoint: SfnEndpoint;
let client: SFNClient;
const statusEvents: ExecutionStatusChangeEvent[] = [];

const start = async (input: Record<string, unknown>, name?: string) => {
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: machineArn,
      input: JSON.stringify(input),
      ...(name ? { name } : {}),
    }),
  );
  return executionArn as string;
};

beforeAll(async () => {
  fixture = await startFixtureSfn({ retryIntervalScale: 0.01 });
  ({ tableName, dynamo, stepFunctions, endpoint, client } = fixture);
  stepFunctions.onStatusChange((event) => statusEvents.push(event));
});

afterAll(() => fixture?.close());

describe('LocalStepFunctions on a CDK-made state machine', () => {
  it('retries with scaled waits, runs lambda:invoke, and resumes a token task through SendTaskSuccess', async () => {
    const began = Date.now();
    const arn = await start({ key: 'k1', failTimes: 2, approval: 'park' });
    const token = await until(() => fixtureState.tokens.k1, 'the parked token');
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ ok: 1 }) }));
    const final = await stepFunctions.waitFor(arn);
    expect(final.status).toBe('SUCCEEDED');
    // Unscaled, the two retries would wait 1 s then 2 s.
    expect(Date.now() - began).toBeLessThan(2500);
    const output = JSON.parse(final.output as string);
    expect(output.branches[0].flaky).toEqual({ key: 'k1', attempts: 3 });
    expect(output.branches[1].approval).toEqual({ ok: 1 });
    expect(output.branches[2]).toEqual({ status: 200, table: tableName, execution: arn });
    const retried = stepFunctions.history(arn).filter((e) => e.type === 'StateRetried');
    expect(retried.map((e) => e.state)).toEqual(['Flaky step', 'Flaky step']);

    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() as number);
    expect(JSON.parse(described.output as string)).toEqual(output);
  });

  it('catches exhausted retries into a DynamoDB update; a refused update is caught as DynamoDB.<Exception>', async () => {
    const first = await stepFunctions.waitFor(await start({ key: 'k2', failTimes: 10 }));
    expect(first.status).toBe('SUCCEEDED');
    expect(fixtureState.calls.k2).toBe(4);
    const { record } = JSON.parse(first.output as string).branches[0];
    expect(record.Attributes.status).toEqual({ S: 'failed' });
    expect(record.Attributes.errorType).toEqual({ S: 'FlakyError' });
    expect(JSON.parse(record.Attributes.errorCause.S)).toEqual({
      errorType: 'FlakyError',
      errorMessage: 'attempt 4 failed',
      trace: [],
    });
    expect(record.Attributes.failedAt.S).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const stored = await dynamo.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'k2' } } }));
    expect(stored.Item).toEqual(record.Attributes);

    const second = await stepFunctions.waitFor(await start({ key: 'k2', failTimes: 10 }));
    const branch = JSON.parse(second.output as string).branches[0];
    expect(branch.recordError.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(branch.record).toBeUndefined();
  });

  it('lets a handler answer its own token through AWS_ENDPOINT_URL_SFN', async () => {
    const final = await stepFunctions.waitFor(await start({ key: 'k3', failTimes: 0, approval: 'approve' }));
    expect(final.status).toBe('SUCCEEDED');
    expect(JSON.parse(final.output as string).branches[1].approval).toEqual({ approvedBy: 'k3' });
  });

  it('aborts on StopExecution and closes the execution’s tokens', async () => {
    const arn = await start({ key: 'k4', failTimes: 0, approval: 'park' }, 'to-stop');
    const token = await until(() => fixtureState.tokens.k4, 'the parked token');
    const { stopDate } = await client.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Stopped', cause: 'by the test' }),
    );
    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Stopped', cause: 'by the test', stopDate });
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    // Stopping a stopped execution changes nothing.
    const again = await client.send(new StopExecutionCommand({ executionArn: arn }));
    expect(again.stopDate).toEqual(stopDate);
    expect((await stepFunctions.waitFor(arn)).status).toBe('ABORTED');
  });

  it('fails the execution on a runtime error', async () => {
    const final = await stepFunctions.waitFor(await start({ failTimes: 0 }));
    expect(final.status).toBe('FAILED');
    expect(final.error).toBe('States.Runtime');
    expect(final.cause).toContain('$.key');
  });

  it('emits Step Functions Execution Status Change events on start and on every end', async () => {
    const arn = await start({ key: 'k5', failTimes: 0 });
    await stepFunctions.waitFor(arn);
    await until(
      () => (statusEvents.filter((e) => e.detail.executionArn === arn).length === 2 ? true : undefined),
      'events',
    );
    const mine = statusEvents.filter((e) => e.detail.executionArn === arn);
    expect(mine.map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(mine[1]).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      resources: [arn],
      detail: {
        stateMachineArn: machineArn,
        input: JSON.stringify({ key: 'k5', failTimes: 0 }),
        error: null,
      },
    });
    expect(typeof mine[1]?.detail.startDate).toBe('number');
    expect(mine[1]?.detail.stopDate).toBeGreaterThanOrEqual(mine[1]?.detail.startDate as number);
    const aborted = statusEvents.find((e) => e.detail.name === 'to-stop' && e.detail.status === 'ABORTED');
    expect(aborted?.detail.error).toBe('Stopped');
  });
});

describe('the local Step Functions endpoint', () => {
  const rejected = (promise: Promise<unknown>, name: string) =>
    expect(promise).rejects.toMatchObject({ name });

  it('answers with the API’s named errors', async () => {
    await rejected(
      client.send(
        new DescribeExecutionCommand({
          executionArn: `${machineArn.replace('stateMachine', 'execution')}:nope`,
        }),
      ),
      'ExecutionDoesNotExist',
    );
    await rejected(
      client.send(new StartExecutionCommand({ stateMachineArn: `${machineArn}-missing`, input: '{}' })),
      'StateMachineDoesNotExist',
    );
    await rejected(
      client.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: 'not json' })),
      'InvalidExecutionInput',
    );
    await rejected(
      client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
      'InvalidToken',
    );
    const unknown = Buffer.alloc(48, 7).toString('base64url');
    await rejected(
      client.send(new SendTaskSuccessCommand({ taskToken: unknown, output: '{}' })),
      'TaskDoesNotExist',
    );
    await rejected(client.send(new SendTaskHeartbeatCommand({ taskToken: unknown })), 'TaskDoesNotExist');
  });

  it('starts idempotently by name while running, refuses a different input, and lists executions', async () => {
    const input = { key: 'k6', failTimes: 0, approval: 'park' };
    const arn = await start(input, 'same-name');
    expect(await start(input, 'same-name')).toBe(arn);
    await rejected(start({ ...input, failTimes: 1 }, 'same-name'), 'ExecutionAlreadyExists');
    const token = await until(() => fixtureState.tokens.k6, 'the parked token');
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'no' }));
    const final = await stepFunctions.waitFor(arn);
    expect(final).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'no' });
    // A closed execution keeps its name: starting it again is a conflict, as on AWS.
    await rejected(start(input, 'same-name'), 'ExecutionAlreadyExists');

    const page = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 2 }));
    expect(page.executions).toHaveLength(2);
    expect(page.nextToken).toBeDefined();
    expect(page.executions?.[0]?.startDate).toBeInstanceOf(Date);
    const failed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'FAILED' }),
    );
    expect(failed.executions?.map((e) => e.name)).toContain('same-name');
  });

  it('is reached through AWS_ENDPOINT_URL_SFN by a client given no endpoint', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = endpoint.url;
    const fromEnv = new SFNClient({ region, credentials });
    try {
      const arn = await start({ key: 'k7', failTimes: 0 });
      await stepFunctions.waitFor(arn);
      const described = await fromEnv.send(new DescribeExecutionCommand({ executionArn: arn }));
      expect(described.status).toBe('SUCCEEDED');
    } finally {
      fromEnv.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = previous;
    }
  });
});

describe('the payload quota (256 KiB), as AWS enforces it', () => {
  const limitsArn = `arn:aws:states:${region}:000000000000:stateMachine:fixture-limits`;
  const run = async (input: Record<string, unknown>) => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: limitsArn, input: JSON.stringify(input) }),
    );
    return stepFunctions.waitFor(executionArn as string);
  };

  it('runs a state machine whose states stay within it', async () => {
    const final = await run({ first: 20_000, half: 50_000 });
    expect(final.status).toBe('SUCCEEDED');
    expect(JSON.parse(final.output as string).halves).toHaveLength(2);
  });

  it("fails the execution with States.DataLimitExceeded, which no Catch takes, on a task's result over it", async () => {
    const final = await run({ first: 300_000, half: 1 });
    expect(final).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(final.cause).toContain("result of state 'First blob'");
  });

  it("fails it on a state's output over it, though each branch's result fits", async () => {
    // Each branch's output is its input plus 140 KB; the Parallel's output holds both branches.
    const final = await run({ first: 1, half: 140_000 });
    expect(final).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(final.cause).toContain("state 'Two halves'");
  });
});
