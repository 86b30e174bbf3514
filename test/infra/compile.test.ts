import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../state-machines/compile/compile.js';
import { type StepSpec, step } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';

// biome-ignore lint/suspicious/noExplicitAny: ASL is untyped JSON.
type Asl = Record<string, any>;

const ACCOUNT = '111111111111';
const functionArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/** The ASL compileWorkflow gives for these steps, rendered in-process (no synth, no bundling). */
const render = (steps: StepSpec[]): Asl => {
  const stack = new Stack(new App(), 'Compile', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const imported = (name: string) => lambda.Function.fromFunctionArn(stack, `fn-${name}`, functionArn(name));
  const definition = defineWorkflow({ name: 'fork', steps });
  const body = compileWorkflow(stack, {
    definition,
    stepFunctions: definition.steps.map((s) => imported(s.name)),
    pauseGate: imported('gate'),
    tables: {
      workflows: dynamodb.Table.fromTableName(stack, 'workflows', 'workflows'),
      tasks: dynamodb.Table.fromTableName(stack, 'tasks', 'tasks'),
    },
    resultsBucket: s3.Bucket.fromBucketName(stack, 'results', 'results'),
  });
  return stack.resolve(new sfn.StateGraph(sfn.Chain.start(body).startState, 'fork').toGraphJson());
};

/** Every state, Parallel branches included. */
const statesOf = (graph: Asl): Record<string, Asl> => {
  const all: Record<string, Asl> = {};
  for (const [name, state] of Object.entries(graph.States as Record<string, Asl>)) {
    all[name] = state;
    for (const branch of state.Branches ?? []) Object.assign(all, statesOf(branch));
  }
  return all;
};

const handler = 'functions/steps/download.ts';
/** a → { b, c }: a fork that ends the workflow, so the completion is a write after the join. */
const fork = render([
  step({
    name: 'a',
    taskType: 'download',
    handler,
    timeout: 10,
    maxRetries: 2,
    retry: { nonRetryable: ['BadInput'], jitter: true, maxDelay: 8 },
  }),
  step({ name: 'b', taskType: 'label', handler, dependencies: ['a'], maxRetries: 0 }),
  step({ name: 'c', taskType: 'label', handler, dependencies: ['a'] }),
]);
const states = statesOf(fork);

const LAMBDA_SERVICE_RETRY = {
  ErrorEquals: [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};

describe('compileWorkflow', () => {
  it('enters each step through a Choice that skips it when a recovery run marks it done', () => {
    expect(fork.StartAt).toBe('a?');
    expect(states['a?']).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.skip.s0', IsPresent: true, Next: 'Skip a' }],
      Default: 'Run a',
    });
    expect(states['Skip a']).toEqual({ Type: 'Pass', Next: 'Parallel b + c' });
  });

  it("invokes the step's Lambda with the step event and keeps its result's reference under $.results.s<index>", () => {
    const run = states['Run a'] as Asl;
    expect(run).toMatchObject({
      Type: 'Task',
      Resource: functionArn('a'),
      TimeoutSeconds: 10,
      ResultPath: '$.results.s0',
      Next: 'Parallel b + c',
    });
    expect(run.Parameters).toEqual({
      'workflowId.$': '$.workflowId',
      'jobId.$': '$.jobId',
      definition: 'fork',
      step: 'a',
      stepIndex: 0,
      stepNames: ['a', 'b', 'c'],
      maxRetries: 2,
      nonRetryable: ['BadInput'],
      completesWorkflow: false,
      'executionArn.$': '$$.Execution.Id',
      dependencies: [],
      'correlationId.$': '$.correlationId',
      'runToken.$': '$.runToken',
    });
  });

  it("retries in order: non-retryable errors (the step's own too) never, Lambda service errors as CDK does, the rest by the step's policy", () => {
    expect(states['Run a']?.Retry).toEqual([
      {
        ErrorEquals: [
          'FatalStepError',
          'WorkflowPausedError',
          'WorkflowCancelledError',
          'StaleExecutionError',
          'ToleratedFailureExceededError',
          'BadInput',
        ],
        MaxAttempts: 0,
      },
      LAMBDA_SERVICE_RETRY,
      {
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 1,
        MaxAttempts: 2,
        BackoffRate: 2,
        MaxDelaySeconds: 8,
        JitterStrategy: 'FULL',
      },
    ]);
  });

  it('adds no catch-all retry to a step with maxRetries 0', () => {
    expect(states['Run b']?.Retry.map((r: Asl) => r.ErrorEquals[0])).toEqual([
      'FatalStepError',
      'Lambda.ClientExecutionTimeoutException',
    ]);
  });

  it('catches in order: a pause parks at the gate, a cancel or a stale run stops, anything else takes the failure path', () => {
    expect(states['Run a']?.Catch).toEqual([
      { ErrorEquals: ['WorkflowPausedError'], ResultPath: null, Next: 'Paused before a' },
      {
        ErrorEquals: ['WorkflowCancelledError', 'StaleExecutionError'],
        ResultPath: '$.error',
        Next: 'Cancelled at a',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Describe failure of a' },
    ]);
    expect(states['Cancelled at a']).toEqual({
      Type: 'Fail',
      Error: 'WorkflowCancelledError',
      Cause: 'Workflow cancelled before a',
    });
  });

  it('parks a paused step on a task token, then runs the step again', () => {
    const gate = states['Paused before a'] as Asl;
    expect(gate.Resource['Fn::Join'][1].at(-1)).toBe(':states:::lambda:invoke.waitForTaskToken');
    expect(gate).toMatchObject({ Type: 'Task', ResultPath: null, Next: 'Run a' });
    expect(gate.Parameters).toEqual({
      FunctionName: functionArn('gate'),
      Payload: {
        'workflowId.$': '$.workflowId',
        'jobId.$': '$.jobId',
        'correlationId.$': '$.correlationId',
        step: 'a',
        'token.$': '$$.Task.Token',
      },
    });
  });

  it('runs a fork as a Parallel whose join keeps one copy of the ids and merges every branch’s results', () => {
    const parallel = states['Parallel b + c'] as Asl;
    expect(parallel.Branches.map((b: Asl) => b.StartAt)).toEqual(['b?', 'c?']);
    expect(parallel.ResultSelector).toEqual({
      'workflowId.$': '$[0].workflowId',
      'jobId.$': '$[0].jobId',
      'correlationId.$': '$[0].correlationId',
      'runToken.$': '$[0].runToken',
      'indexShard.$': '$[0].indexShard',
      'skip.$': '$[0].skip',
      'results.$': 'States.JsonMerge($[0].results, $[1].results, false)',
    });
  });

  it('completes a workflow that ends in a Parallel with one write after the join', () => {
    expect(states['Parallel b + c']?.Next).toBe('Complete workflow');
    expect(states['Run b']?.Parameters.completesWorkflow).toBe(false);
    expect(states['Run c']?.Parameters.completesWorkflow).toBe(false);
  });

  it('lets a step that always finishes last complete the workflow with its own write, adding no state', () => {
    const chain = statesOf(
      render([
        step({ name: 'a', taskType: 'download', handler }),
        step({ name: 'b', taskType: 'label', handler, dependencies: ['a'] }),
      ]),
    );
    expect(chain['Run a']?.Parameters.completesWorkflow).toBe(false);
    expect(chain['Run b']?.Parameters.completesWorkflow).toBe(true);
    expect(chain['Run b']?.End).toBe(true);
    expect(chain['Complete workflow']).toBeUndefined();
  });

  it("retries every DynamoDB task of the state machine on DynamoDB's transient errors only, keeping its Catch", () => {
    const dynamoTasks = Object.entries(states).filter(([, state]) =>
      JSON.stringify(state.Resource ?? '').includes(':states:::dynamodb:'),
    );
    // The failure bookkeeping of each step (task, then workflow) and the completion after the join.
    expect(dynamoTasks.map(([name]) => name).sort()).toEqual([
      'Complete workflow',
      'Record failure of a',
      'Record failure of b',
      'Record failure of c',
      'Record workflow failure at a',
      'Record workflow failure at b',
      'Record workflow failure at c',
    ]);
    for (const [name, state] of dynamoTasks) {
      expect(state.Retry, name).toEqual([
        {
          ErrorEquals: [
            'DynamoDB.ProvisionedThroughputExceededException',
            'DynamoDB.ThrottlingException',
            'DynamoDB.RequestLimitExceeded',
            'DynamoDB.InternalServerError',
            'DynamoDB.InternalServerErrorException',
            'DynamoDB.ServiceUnavailableException',
          ],
          IntervalSeconds: 1,
          MaxAttempts: 5,
          BackoffRate: 2,
          JitterStrategy: 'FULL',
        },
      ]);
    }
    // A refused write (ConditionalCheckFailed) is never retried: the Catch decides, as before.
    expect(states['Record failure of a']?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.bookkeepingError', Next: 'a failed' },
    ]);
    expect(states['Record workflow failure at a']?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.bookkeepingError', Next: 'a failed' },
    ]);
    expect(states['Complete workflow']?.Catch).toEqual([
      { ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'Workflow no longer running' },
    ]);
  });

  it('merges three branches by nesting States.JsonMerge', () => {
    const three = statesOf(
      render([
        step({ name: 'a', taskType: 'download', handler }),
        step({ name: 'b', taskType: 'label', handler, dependencies: ['a'] }),
        step({ name: 'c', taskType: 'label', handler, dependencies: ['a'] }),
        step({ name: 'd', taskType: 'label', handler, dependencies: ['a'] }),
      ]),
    );
    expect(three['Parallel b + c + d']?.ResultSelector['results.$']).toBe(
      'States.JsonMerge(States.JsonMerge($[0].results, $[1].results, false), $[2].results, false)',
    );
  });
});
