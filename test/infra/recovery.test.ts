import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envName } from '../../functions/config/environment.js';
import { type CfnTemplate, synthTemplate } from '../../infra/synth.js';
import { workflowDefinitions } from '../../state-machines/registry.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation is untyped JSON.
type Json = any;

let raw: CfnTemplate;
let template: Template;
const resources = (type: string): [string, Json][] =>
  Object.entries(raw.Resources).filter(([, r]) => r.Type === type) as [string, Json][];
const logicalIdOf = (type: string, fragment: string): string => {
  const found = resources(type).find(([id]) => id.includes(fragment));
  if (!found) throw new Error(`no ${type} like ${fragment}`);
  return found[0];
};
const workflowMachineRefs = () =>
  workflowDefinitions.map((d) => ({
    Ref: logicalIdOf('AWS::StepFunctions::StateMachine', `Workflow${d.name.replaceAll('-', '')}`),
  }));

beforeAll(() => {
  raw = synthTemplate();
  template = Template.fromJSON(raw);
});

describe('automatic recovery rule', () => {
  it("matches this app's state machines' FAILED, TIMED_OUT and ABORTED status changes", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: Match.arrayEquals(workflowMachineRefs()),
        },
      },
    });
  });

  it('targets the recovery handler with a retry policy and an encrypted, TLS-only dead-letter queue', () => {
    const handler = logicalIdOf('AWS::Lambda::Function', 'RecoveryHandler');
    const queue = logicalIdOf('AWS::SQS::Queue', 'RecoveryDeadLetters');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }),
      }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [handler, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs the reconciler on rate(5 minutes)', () => {
    const reconciler = logicalIdOf('AWS::Lambda::Function', 'RecoveryReconciler');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [reconciler, 'Arn'] }, RetryPolicy: Match.anyValue() }),
      ],
    });
  });

  it('delays runs with a Wait on a timestamp, then the start-run Lambda as the task (portable to the local stack)', () => {
    const [, machine] =
      resources('AWS::StepFunctions::StateMachine').find(([id]) => id.includes('DelayedStart')) ?? [];
    const asl = JSON.stringify(machine.Properties.DefinitionString);
    expect(asl).toContain('\\"TimestampPath\\":\\"$.startAt\\"');
    expect(asl).toMatch(/"Type\\":\\"Task\\",\\"Resource\\":\\"",\{"Fn::GetAtt":\["RecoveryStartRun/);
    expect(asl).not.toContain('states:startExecution');
  });
});

describe('least privilege', () => {
  const statementsOf = (fragment: string): Json[] =>
    resources('AWS::IAM::Policy')
      .filter(([id]) => id.includes(fragment))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

  it('grants no wildcard actions and no "*" resources to the recovery functions', () => {
    for (const fn of ['RecoveryHandler', 'RecoveryStartRun', 'RecoveryReconciler']) {
      const statements = statementsOf(fn);
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) {
        for (const action of [s.Action].flat()) expect(action).not.toMatch(/\*/);
        // X-Ray's PutTraceSegments/PutTelemetryRecords accept no resource but "*" (tracing: Active).
        if ([s.Resource].flat().includes('*'))
          expect([s.Action].flat().every((a: string) => a.startsWith('xray:'))).toBe(true);
      }
    }
  });

  it('lets only the start-run Lambda and the reconciler start workflow executions; the reconciler describes them', () => {
    const starts = (fn: string) =>
      statementsOf(fn).some((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(starts('RecoveryStartRun')).toBe(true);
    expect(starts('RecoveryReconciler')).toBe(true);
    const handlerStarts = statementsOf('RecoveryHandler').filter((s) =>
      [s.Action].flat().includes('states:StartExecution'),
    );
    // The handler only schedules: StartExecution on the delayed-start machine.
    expect(JSON.stringify(handlerStarts)).toContain('DelayedStart');
    expect(JSON.stringify(handlerStarts)).not.toContain('Workflow');
    expect(
      statementsOf('RecoveryReconciler').some((s) => [s.Action].flat().includes('states:DescribeExecution')),
    ).toBe(true);
  });
});

describe('the app event bus', () => {
  it('is named by stage and given to every app function with PutEvents on it only', () => {
    const bus = logicalIdOf('AWS::Events::EventBus', 'Events');
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'job-orchestrator-dev-events' });
    const functions = resources('AWS::Lambda::Function').filter(
      ([, f]) => f.Metadata?.['job-orchestrator:entry'],
    );
    expect(functions.length).toBeGreaterThan(3);
    for (const [, fn] of functions) {
      expect(fn.Properties.Environment.Variables[envName('eventBus')]).toEqual({ Ref: bus });
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [bus, 'Arn'] } }),
        ]),
      },
    });
  });

  it('configures the recovery handler (delay, delayed-start machine)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [envName('recoveryBaseDelaySeconds')]: '30',
          [envName('delayedStart')]: { Ref: Match.stringLikeRegexp('DelayedStart') },
        }),
      },
    });
  });
});
