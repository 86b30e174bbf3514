import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  paginateGetExecutionHistory,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfnEndpoint } from '../../../infra/local/sfn-endpoint.js';
import type { LocalStepFunctions } from '../../../infra/local/step-functions.js';
import { stateMachinesOf } from '../../../infra/local/template.js';
import type { CfnTemplate } from '../../../infra/synth.js';
import { fixtureState } from '../../fixtures/local/handler.js';
import {
  FIXTURE_REGION,
  type FixtureSfn,
  fixtureMachineArn,
  startFixtureSfn,
  until,
} from '../../support/fixture-sfn.js';

/*
 * The Step Functions API of the local stack as AWS tools see it: the SDK's client and the AWS CLI
 * against the endpoint, for the state machines (list, describe) and the executions (describe, list,
 * history, stop). The history is the engine's own event log in AWS's event shapes.
 */

const region = FIXTURE_REGION;
const machineArn = fixtureMachineArn('fixture-machine');
const limitsArn = fixtureMachineArn('fixture-limits');

let template: CfnTemplate;
let stepFunctions: LocalStepFunctions;
let endpoint: SfnEndpoint;
let client: SFNClient;

const start = async (input: Record<string, unknown>, arn = machineArn) => {
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }),
  );
  return executionArn as string;
};

const historyOf = async (executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client, pageSize: 7 }, { executionArn }))
    events.push(...(page.events ?? []));
  return events;
};

const named = (events: HistoryEvent[], state: string) =>
  events.filter(
    (e) => e.stateEnteredEventDetails?.name === state || e.stateExitedEventDetails?.name === state,
  );

/** The events of one Task state: from its entry to its exit, those of its own lane (by previousEventId). */
const taskEvents = (events: HistoryEvent[], state: string): HistoryEvent[] => {
  const entered = named(events, state)[0] as HistoryEvent;
  const chain: HistoryEvent[] = [entered];
  for (;;) {
    const last = chain.at(-1) as HistoryEvent;
    const next = events.find((e) => e.previousEventId === last.id && e.id !== last.id);
    if (!next || next.stateEnteredEventDetails) return chain;
    chain.push(next);
    if (next.stateExitedEventDetails) return chain;
  }
};

let fixture: FixtureSfn;
beforeAll(async () => {
  fixture = await startFixtureSfn({ retryIntervalScale: 0.01 });
  ({ template, stepFunctions, endpoint, client } = fixture);
});

afterAll(() => fixture?.close());

describe('the state machines, as ListStateMachines and DescribeStateMachine give them', () => {
  it('lists every state machine of the template, page by page', async () => {
    const all = await client.send(new ListStateMachinesCommand({}));
    // By name.
    expect(all.stateMachines?.map((m) => m.stateMachineArn)).toEqual([limitsArn, machineArn]);
    expect(all.stateMachines?.[1]).toMatchObject({ name: 'fixture-machine', type: 'STANDARD' });
    expect(all.stateMachines?.[1]?.creationDate).toBeInstanceOf(Date);
    const first = await client.send(new ListStateMachinesCommand({ maxResults: 1 }));
    expect(first.stateMachines).toHaveLength(1);
    const second = await client.send(
      new ListStateMachinesCommand({ maxResults: 1, nextToken: first.nextToken }),
    );
    expect(second.stateMachines?.[0]?.name).toBe('fixture-machine');
    expect(second.nextToken).toBeUndefined();
    await expect(client.send(new ListStateMachinesCommand({ nextToken: 'nope' }))).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('describes one with the definition of the template, its role, type and status', async () => {
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
    const [local] = stateMachinesOf(template, { region });
    expect(described).toMatchObject({
      stateMachineArn: machineArn,
      name: 'fixture-machine',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: local?.roleArn,
    });
    expect(described.roleArn).toMatch(/^arn:aws:iam::000000000000:role\//);
    expect(JSON.parse(described.definition as string)).toEqual(local?.definition);
    expect(JSON.parse(described.definition as string).StartAt).toBe('Fan out');
    expect(described.creationDate).toBeInstanceOf(Date);
    await expect(
      client.send(new DescribeStateMachineCommand({ stateMachineArn: `${machineArn}-missing` })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe('GetExecutionHistory, from the engine’s event log', () => {
  it('gives every state with its input and output, each task attempt and retry, in order', async () => {
    const arn = await start({ key: 'h1', failTimes: 2, approval: 'approve' });
    const final = await stepFunctions.waitFor(arn);
    expect(final.status).toBe('SUCCEEDED');
    const events = await historyOf(arn);

    // Numbered from 1 in time order, each pointing at an earlier one.
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    for (const event of events) expect(event.previousEventId).toBeLessThan(event.id as number);
    const times = events.map((e) => (e.timestamp as Date).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const [first, last] = [events[0], events.at(-1)];
    expect(first).toMatchObject({ type: 'ExecutionStarted', previousEventId: 0 });
    expect(JSON.parse(first?.executionStartedEventDetails?.input as string)).toEqual({
      key: 'h1',
      failTimes: 2,
      approval: 'approve',
    });
    expect(first?.executionStartedEventDetails?.roleArn).toMatch(/^arn:aws:iam::/);
    expect(last?.type).toBe('ExecutionSucceeded');
    expect(last?.executionSucceededEventDetails?.output).toBe(final.output);

    // The Parallel: entered, started, its branches, succeeded, exited.
    const fanOut = events.filter((e) => e.type?.startsWith('ParallelState')).map((e) => e.type);
    expect(fanOut).toEqual([
      'ParallelStateEntered',
      'ParallelStateStarted',
      'ParallelStateSucceeded',
      'ParallelStateExited',
    ]);
    const started = events.find((e) => e.type === 'ParallelStateStarted') as HistoryEvent;
    // Each branch's first state follows the ParallelStateStarted.
    for (const state of ['Flaky step', 'Needs approval?', 'Echo'])
      expect(named(events, state)[0]?.previousEventId).toBe(started.id);

    // A Lambda ARN resource (payloadResponseOnly): LambdaFunction* events, one set per attempt.
    const flaky = taskEvents(events, 'Flaky step');
    expect(flaky.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    const scheduled = flaky[1]?.lambdaFunctionScheduledEventDetails;
    expect(scheduled?.resource).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:/);
    expect(JSON.parse(scheduled?.input as string)).toEqual({ action: 'flaky', key: 'h1', failTimes: 2 });
    expect(flaky[3]?.lambdaFunctionFailedEventDetails?.error).toBe('FlakyError');
    expect(JSON.parse(flaky[3]?.lambdaFunctionFailedEventDetails?.cause as string)).toMatchObject({
      errorType: 'FlakyError',
      errorMessage: 'attempt 1 failed',
    });
    expect(JSON.parse(flaky[9]?.lambdaFunctionSucceededEventDetails?.output as string)).toEqual({
      key: 'h1',
      attempts: 3,
    });
    // The state's own output: its input with the result at its ResultPath.
    expect(JSON.parse(flaky[10]?.stateExitedEventDetails?.output as string).flaky).toEqual({
      key: 'h1',
      attempts: 3,
    });

    // An integration (lambda:invoke): Task* events with the resource type and the effective parameters.
    const echo = taskEvents(events, 'Echo');
    expect(echo.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(echo[1]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region,
    });
    const parameters = JSON.parse(echo[1]?.taskScheduledEventDetails?.parameters as string);
    expect(parameters.Payload).toEqual({ action: 'echo', execution: arn });
    expect(parameters.FunctionName).toMatch(/^arn:aws:lambda:/);
    expect(JSON.parse(echo[3]?.taskSucceededEventDetails?.output as string)).toMatchObject({
      StatusCode: 200,
    });

    // The token task: its resource, and the parameters without the engine's placeholders.
    const approval = taskEvents(events, 'Wait for approval');
    expect(approval[1]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
    });
    expect(approval[1]?.taskScheduledEventDetails?.parameters).not.toContain('__local_sfn_');
    // As on AWS: the asynchronous invoke's answer (TaskSubmitted), then the token's (TaskSucceeded).
    expect(approval.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(approval[3]?.taskSubmittedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
    });
    expect(named(events, 'Needs approval?').map((e) => e.type)).toEqual([
      'ChoiceStateEntered',
      'ChoiceStateExited',
    ]);
  });

  it('shows a caught failure as the task’s failures and its exit, then the DynamoDB task', async () => {
    const arn = await start({ key: 'h2', failTimes: 10 });
    expect((await stepFunctions.waitFor(arn)).status).toBe('SUCCEEDED');
    const events = await historyOf(arn);
    const flaky = taskEvents(events, 'Flaky step').map((e) => e.type);
    expect(flaky.filter((t) => t === 'LambdaFunctionFailed')).toHaveLength(4);
    expect(flaky).not.toContain('LambdaFunctionSucceeded');
    expect(flaky.at(-1)).toBe('TaskStateExited');
    const record = taskEvents(events, 'Record failure');
    expect(record.map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(record[1]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'dynamodb',
      resource: 'updateItem',
    });
    const update = JSON.parse(record[1]?.taskScheduledEventDetails?.parameters as string);
    expect(update.TableName).toBe(fixture.tableName);
    // $$.State.EnteredTime, filled in when the task ran.
    expect(update.ExpressionAttributeValues[':now'].S).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('pages forward and backward, and leaves the data out when asked', async () => {
    const arn = await start({ key: 'h3', failTimes: 1 });
    await stepFunctions.waitFor(arn);
    const all = await historyOf(arn);
    const reversed: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 5, nextToken }),
      );
      expect(page.events?.length).toBeLessThanOrEqual(5);
      reversed.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(reversed).toEqual([...all].reverse());

    const lean = await client.send(
      new GetExecutionHistoryCommand({ executionArn: arn, includeExecutionData: false }),
    );
    expect(lean.events?.map((e) => e.type)).toEqual(all.map((e) => e.type));
    const text = JSON.stringify(lean.events);
    expect(text).not.toMatch(/"(input|output|parameters)"/);
    expect(lean.events?.[1]?.stateEnteredEventDetails?.name).toBe('Fan out');

    await expect(
      client.send(new GetExecutionHistoryCommand({ executionArn: `${arn}-missing` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(
      client.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1001 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('shows a running execution up to now, and its stop as ExecutionAborted with the reason', async () => {
    const arn = await start({ key: 'h4', failTimes: 0, approval: 'park' });
    await until(() => fixtureState.tokens.h4, 'the parked token');
    const running = await historyOf(arn);
    const waiting = taskEvents(running, 'Wait for approval').map((e) => e.type);
    expect(waiting).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted']);
    expect(running.at(-1)?.type).not.toMatch(/^Execution/);

    await client.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Stopped', cause: 'by the test' }),
    );
    const stopped = await historyOf(arn);
    expect(stopped.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Stopped', cause: 'by the test' },
    });
    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described.status).toBe('ABORTED');
    expect(stopped.at(-1)?.timestamp?.getTime()).toBeGreaterThanOrEqual(
      (described.stopDate as Date).getTime(),
    );
  });

  it('ends with the failure DescribeExecution gives: a start failure, the payload quota', async () => {
    // No $.key: the task's parameters cannot be built, so it never starts.
    const broken = await start({ failTimes: 0 });
    expect((await stepFunctions.waitFor(broken)).status).toBe('FAILED');
    const events = await historyOf(broken);
    expect(taskEvents(events, 'Flaky step').map((e) => e.type)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStartFailed',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'States.Runtime' },
    });

    const over = await start({ first: 1, half: 140_000 }, limitsArn);
    const final = await stepFunctions.waitFor(over);
    expect(final.error).toBe('States.DataLimitExceeded');
    const limited = await historyOf(over);
    expect(limited.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'States.DataLimitExceeded', cause: final.cause },
    });
  });

  it('describes the state machine an execution ran, and lists executions by status, page by page', async () => {
    const arn = await start({ key: 'h5', failTimes: 0 });
    await stepFunctions.waitFor(arn);
    const forExecution = await client.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: arn }),
    );
    expect(forExecution).toMatchObject({ stateMachineArn: machineArn, name: 'fixture-machine' });
    expect(JSON.parse(forExecution.definition as string).StartAt).toBe('Fan out');

    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListExecutionsCommand({
          stateMachineArn: machineArn,
          statusFilter: 'SUCCEEDED',
          maxResults: 2,
          nextToken,
        }),
      );
      expect(page.executions?.every((e) => e.status === 'SUCCEEDED')).toBe(true);
      names.push(...(page.executions ?? []).map((e) => e.name as string));
      nextToken = page.nextToken;
    } while (nextToken);
    const expected = stepFunctions.listExecutions(machineArn, 'SUCCEEDED').map((e) => e.name);
    expect(names).toEqual(expected);
    expect(names.length).toBeGreaterThanOrEqual(4);
    await expect(
      client.send(
        new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'DONE' as 'SUCCEEDED' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

/** The AWS CLI, when there is one (`.ci/run` installs Debian's awscli when it is missing). */
const run = promisify(execFile);
const version = spawnSync('aws', ['--version'], { encoding: 'utf8' });
const aws = version.status === 0;
const [major = 0, minor = 0] = (/aws-cli\/(\d+)\.(\d+)/.exec(`${version.stdout}${version.stderr}`) ?? [])
  .slice(1)
  .map(Number);
/** Whether this CLI reads AWS_ENDPOINT_URL_<SERVICE>. */
const endpointVariables = (major === 1 && minor >= 29) || (major === 2 && minor >= 13) || major > 2;

describe.skipIf(!aws)('the AWS CLI against the local endpoint', () => {
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    // Asynchronously: the endpoint answering it runs in this process.
    const { stdout } = await run('aws', [...args, '--output', 'json'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        // Dummy credentials and no look-up of any metadata service, profile or config of the machine.
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
        ...env,
      },
      timeout: 30_000,
    });
    return JSON.parse(stdout);
  };
  /** AWS CLI v1 prints a timestamp as it came (epoch seconds), v2 as ISO 8601 text. */
  const isTime = (value: unknown) =>
    typeof value === 'number' ? value > 1.7e9 : !Number.isNaN(Date.parse(String(value)));
  const sfn = (...args: string[]) => cli(['stepfunctions', ...args, '--endpoint-url', endpoint.url]);

  it('lists and describes the state machines, and reads an execution’s history', async () => {
    const listed = await sfn('list-state-machines');
    expect(listed.stateMachines.map((m: { name: string }) => m.name)).toEqual([
      'fixture-limits',
      'fixture-machine',
    ]);
    const described = await sfn('describe-state-machine', '--state-machine-arn', machineArn);
    expect(described).toMatchObject({ status: 'ACTIVE', type: 'STANDARD', name: 'fixture-machine' });
    expect(JSON.parse(described.definition).StartAt).toBe('Fan out');

    const arn = await start({ key: 'c1', failTimes: 1 });
    await stepFunctions.waitFor(arn);
    const { events } = await sfn('get-execution-history', '--execution-arn', arn);
    expect(events[0].type).toBe('ExecutionStarted');
    expect(events.at(-1).type).toBe('ExecutionSucceeded');
    expect(events.filter((e: { type: string }) => e.type === 'LambdaFunctionFailed')).toHaveLength(1);
    // The same events the SDK reads.
    const outline = (e: HistoryEvent) => [e.id, e.previousEventId, e.type];
    expect(events.map(outline)).toEqual((await historyOf(arn)).map(outline));
    expect(isTime(events[0].timestamp)).toBe(true);
    const reversed = await sfn(
      'get-execution-history',
      '--execution-arn',
      arn,
      '--reverse-order',
      '--max-items',
      '3',
    );
    expect(reversed.events.map((e: { id: number }) => e.id)).toEqual([
      events.length,
      events.length - 1,
      events.length - 2,
    ]);
    expect((await sfn('describe-execution', '--execution-arn', arn)).status).toBe('SUCCEEDED');
    const executions = await sfn(
      'list-executions',
      '--state-machine-arn',
      machineArn,
      '--status-filter',
      'SUCCEEDED',
    );
    expect(executions.executions.map((e: { executionArn: string }) => e.executionArn)).toContain(arn);
  });

  it('stops an execution', async () => {
    const arn = await start({ key: 'c2', failTimes: 0, approval: 'park' });
    await until(() => fixtureState.tokens.c2, 'the parked token');
    expect((await sfn('describe-execution', '--execution-arn', arn)).status).toBe('RUNNING');
    const stopped = await sfn(
      'stop-execution',
      '--execution-arn',
      arn,
      '--error',
      'Stopped',
      '--cause',
      'cli',
    );
    expect(isTime(stopped.stopDate)).toBe(true);
    const { events } = await sfn('get-execution-history', '--execution-arn', arn, '--reverse-order');
    expect(events[0]).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Stopped', cause: 'cli' },
    });
  });

  // Service-specific endpoint variables: AWS CLI v1.29 and v2.13 on (Debian 12's awscli 2.9 predates them).
  it.skipIf(!endpointVariables)(
    'is reached through AWS_ENDPOINT_URL_SFN, with no --endpoint-url',
    async () => {
      const listed = await cli(['stepfunctions', 'list-state-machines'], {
        AWS_ENDPOINT_URL_SFN: endpoint.url,
      });
      expect(listed.stateMachines).toHaveLength(2);
    },
  );
});
