import validator from 'asl-validator';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateMachinesOf } from '../../infra/local/template.js';
import { JobOrchestratorStack } from '../../infra/stack.js';
import { type CfnTemplate, synthTemplate } from '../../infra/synth.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';
import { datasetBuild } from '../../state-machines/definitions/dataset-build.js';
import { step } from '../../state-machines/dsl.js';
import { workflowDefinitions } from '../../state-machines/registry.js';
import { defineWorkflow } from '../../state-machines/validate.js';

// biome-ignore lint/suspicious/noExplicitAny: ASL is untyped JSON.
type Asl = Record<string, any>;

let raw: CfnTemplate;
let template: Template;
let asl: Asl;

/** Every state of a definition, Parallel branches included. */
const statesOf = (definition: Asl): Record<string, Asl> => {
  const all: Record<string, Asl> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, Asl>)) {
    all[name] = state;
    for (const branch of state.Branches ?? []) Object.assign(all, statesOf(branch));
  }
  return all;
};

beforeAll(() => {
  raw = synthTemplate();
  template = Template.fromJSON(raw);
  const machine = stateMachinesOf(raw, { region: 'us-east-1' }).find((m) => m.name.endsWith('dataset-build'));
  asl = machine?.definition as Asl;
});

describe('workflow state machines', () => {
  it('builds one Standard state machine per registered definition, with full logging and tracing', () => {
    // Plus the recovery's delayed-start machine (infra/recovery.ts).
    template.resourceCountIs('AWS::StepFunctions::StateMachine', workflowDefinitions.length + 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'job-orchestrator-dev-dataset-build',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('generates valid Amazon States Language', () => {
    const result = validator(asl, { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('gives every step a Lambda task with its timeout and the retry policy of docs/behaviour.md, "Retries"', () => {
    const states = statesOf(asl);
    for (const s of datasetBuild.steps) {
      const run = states[`Run ${s.name}`] as Asl;
      expect(run.Type).toBe('Task');
      expect(run.TimeoutSeconds).toBe(s.timeout);
      // A fan-out step's first task leaves its work list; its finish leaves the result's reference.
      expect(run.ResultPath).toBe(s.forEach ? `$.fanout.s${s.index}` : `$.results.s${s.index}`);
      if (s.forEach) expect(states[`Finish ${s.name}`]?.ResultPath).toBe(`$.results.s${s.index}`);
      expect(run.Retry[0]).toEqual({
        ErrorEquals: [
          'FatalStepError',
          'WorkflowPausedError',
          'WorkflowCancelledError',
          'StaleExecutionError',
          'ToleratedFailureExceededError',
        ],
        MaxAttempts: 0,
      });
      expect(run.Retry[1].ErrorEquals).toContain('Lambda.ServiceException');
      expect(run.Retry[2]).toEqual({
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 1,
        BackoffRate: 2,
        MaxAttempts: s.maxRetries,
        MaxDelaySeconds: s.retry.maxDelay,
      });
      expect(run.Catch.map((c: Asl) => c.ErrorEquals)).toEqual([
        ['WorkflowPausedError'],
        ['WorkflowCancelledError', 'StaleExecutionError'],
        ['States.ALL'],
      ]);
      // The error is kept beside the input, not over it, so bookkeeping still has the ids.
      expect(run.Catch[2].ResultPath).toBe('$.error');
      expect(states[run.Catch[0].Next]?.Resource).toMatch(/lambda:invoke\.waitForTaskToken$/);
    }
  });

  it('runs deduplicate and label in one Parallel state', () => {
    const parallel = Object.values(asl.States as Record<string, Asl>).find(
      (s) => s.Type === 'Parallel',
    ) as Asl;
    expect(parallel.Branches.map((b: Asl) => b.StartAt).sort()).toEqual(['deduplicate?', 'label?']);
    expect(parallel.ResultSelector['results.$']).toBe('States.JsonMerge($[0].results, $[1].results, false)');
  });

  it('records failures with conditional DynamoDB writes from the state machine itself', () => {
    const states = statesOf(asl);
    const task = states['Record failure of label'] as Asl;
    expect(task.Resource).toMatch(/:states:::dynamodb:updateItem$/);
    expect(task.Parameters.ConditionExpression).toBe(
      '#status IN (:from0, :from1, :from2, :from3) AND runToken = :run',
    );
    expect(task.Parameters.ExpressionAttributeValues[':run']).toEqual({ 'S.$': '$.runToken' });
    const workflow = states['Record workflow failure at label'] as Asl;
    expect(workflow.Parameters.ConditionExpression).toMatch(/AND executionArn = :execution$/);
    expect(workflow.Parameters.ExpressionAttributeValues[':message']['S.$']).toBe(
      "States.Format('Task label failed after {} attempts: {}', $.failure.task.Attributes.attempts.N, $.failure.message)",
    );
    expect(states['Timeout of label']?.Parameters).toEqual({ message: 'Task timeout after 30s' });
    // Throttling and DynamoDB's own faults are retried; a refused write is not.
    for (const write of [task, workflow]) {
      expect(write.Retry).toHaveLength(1);
      expect(write.Retry[0]).toMatchObject({ MaxAttempts: 5, JitterStrategy: 'FULL' });
      expect(write.Retry[0].ErrorEquals).toContain('DynamoDB.ThrottlingException');
      expect(write.Retry[0].ErrorEquals).not.toContain('DynamoDB.ConditionalCheckFailedException');
    }
  });

  it('adds no bookkeeping state to the happy path: a step costs a Choice and its own Task', () => {
    const states = statesOf(asl);
    const choice = states['list?'] as Asl;
    expect(choice.Default).toBe('Run list');
    expect(states['Run list']?.Next).toBe('download?');
    // A fan-out step: its Choice, prepare, the Map and finish (docs/behaviour.md, "Fan-out").
    expect((states['download?'] as Asl).Default).toBe('Run download');
    expect(states['Run download']?.Next).toBe('Items of download');
    expect(states['Items of download']?.Next).toBe('Finish download');
    expect(states['Finish download']?.Next).toBe('validate?');
  });
});

describe('step functions', () => {
  it('run Node 22 on arm64, bundled, each tagged with its source module', () => {
    template.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 70 }),
      Metadata: Match.objectLike({ [ENTRY_METADATA_KEY]: 'functions/steps/download.ts' }),
    });
  });

  it('may outlive the step timeout, so Step Functions times the step out first', () => {
    const fns = Object.values(raw.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    for (const s of datasetBuild.steps) {
      const fn = fns.find((r) => (r as Asl).Metadata?.[ENTRY_METADATA_KEY] === s.handler);
      expect(fn?.Properties?.Timeout).toBeGreaterThan(s.timeout);
    }
  });
});

describe('stages', () => {
  it('names resources by stage and retains tables outside dev', () => {
    const prod = Template.fromJSON(synthTemplate({ stage: 'prod' }));
    prod.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'job-orchestrator-prod-dataset-build',
    });
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('fails synth with a message naming the step when a definition is invalid', () => {
    const build = () =>
      new JobOrchestratorStack(new App(), 'Bad', {
        stage: 'dev',
        definitions: [
          defineWorkflow({
            name: 'bad',
            steps: [
              step({ name: 'a', taskType: 't', handler: 'functions/steps/download.ts', dependencies: ['b'] }),
            ],
          }),
        ],
      });
    expect(build).toThrow('steps[0] "a": Step 0 has invalid dependency: b');
  });
});
