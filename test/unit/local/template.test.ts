import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionsOf,
  resolveIntrinsics,
  resourcesOfType,
  stateMachinesOf,
} from '../../../infra/local/template.js';
import type { CfnTemplate } from '../../../infra/synth.js';
import { FIXTURE_ENTRY, fixtureTemplate } from '../../fixtures/local/stack.js';

const id = { region: 'eu-west-1' };
const template: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: { 'Fn::Join': ['-', [{ Ref: 'Stage' }, 'jobs']] } },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'runner' } },
    Unnamed: { Type: 'AWS::Lambda::Function', Properties: {} },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'flow' } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app' } },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    NamedBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: { 'Fn::Join': ['-', [{ Ref: 'Stage' }, { Ref: 'AWS::AccountId' }]] } },
    },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
  },
};
const resolve = (value: unknown) => resolveIntrinsics(value, template, id);

describe('resolveIntrinsics', () => {
  it('resolves pseudo parameters, parameters and plain values', () => {
    expect(resolve({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(resolve({ Ref: 'AWS::AccountId' })).toBe('000000000000');
    expect(resolve({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    expect(resolve({ a: [1, 'x', { Ref: 'AWS::Region' }] })).toEqual({ a: [1, 'x', 'eu-west-1'] });
  });

  it('gives each resource type its local identity', () => {
    expect(resolve({ Ref: 'Table' })).toBe('dev-jobs');
    expect(resolve({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe(
      'arn:aws:dynamodb:eu-west-1:000000000000:table/dev-jobs',
    );
    expect(resolve({ 'Fn::GetAtt': 'Fn.Arn' })).toBe('arn:aws:lambda:eu-west-1:000000000000:function:runner');
    expect(resolve({ Ref: 'Fn' })).toBe('runner');
    expect(resolve({ 'Fn::GetAtt': ['Unnamed', 'Arn'] })).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:Unnamed',
    );
    expect(resolve({ Ref: 'Machine' })).toBe('arn:aws:states:eu-west-1:000000000000:stateMachine:flow');
    expect(resolve({ 'Fn::GetAtt': ['Machine', 'Name'] })).toBe('flow');
    expect(resolve({ Ref: 'Queue' })).toMatch(/^http:\/\/.*\/000000000000\/q$/);
    expect(resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe('arn:aws:sqs:eu-west-1:000000000000:q');
    expect(resolve({ Ref: 'Bus' })).toBe('bus');
    expect(resolve({ 'Fn::GetAtt': ['Bus', 'Arn'] })).toBe(
      'arn:aws:events:eu-west-1:000000000000:event-bus/bus',
    );
    expect(resolve({ Ref: 'Logs' })).toBe('/app');
    expect(resolve({ Ref: 'Role' })).toBe('Role');
    // A bucket's name as given, else (CloudFormation would generate one) its logical id in lower case.
    expect(resolve({ Ref: 'NamedBucket' })).toBe('dev-000000000000');
    expect(resolve({ 'Fn::GetAtt': ['NamedBucket', 'Arn'] })).toBe('arn:aws:s3:::dev-000000000000');
    expect(resolve({ Ref: 'Bucket' })).toBe('bucket');
    expect(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('arn:aws:iam::000000000000:role/Role');
  });

  it('joins, selects, splits and substitutes', () => {
    expect(resolve({ 'Fn::Join': ['', ['a', { Ref: 'Table' }, 'b']] })).toBe('adev-jobsb');
    expect(resolve({ 'Fn::Select': [1, ['x', { Ref: 'Fn' }]] })).toBe('runner');
    expect(resolve({ 'Fn::Select': [0, { 'Fn::Split': ['/', 'a/b'] }] })).toBe('a');
    // CloudFormation's ${} syntax, built without template-literal look-alikes.
    const sub = (text: string) => text.replaceAll('{{', '${').replaceAll('}}', '}');
    expect(
      resolve({
        'Fn::Sub': sub('arn:{{AWS::Partition}}:x:{{AWS::Region}}:{{Table}}/{{Fn.Arn}}/{{!Literal}}'),
      }),
    ).toBe(
      sub('arn:aws:x:eu-west-1:dev-jobs/arn:aws:lambda:eu-west-1:000000000000:function:runner/{{Literal}}'),
    );
    expect(resolve({ 'Fn::Sub': [sub('{{Who}} in {{AWS::Region}}'), { Who: { Ref: 'Bus' } }] })).toBe(
      'bus in eu-west-1',
    );
  });

  it('fails clearly on what it cannot resolve', () => {
    expect(() => resolve({ Ref: 'Key' })).toThrow(/Ref Key.*AWS::KMS::Key/);
    expect(() => resolve({ 'Fn::GetAtt': ['Table', 'Nope'] })).toThrow(/Table\.Nope/);
    expect(() => resolve({ Ref: 'Missing' })).toThrow(/"Missing"/);
    expect(() => resolve({ 'Fn::If': ['c', 1, 2] })).toThrow(/Fn::If/);
  });
});

describe('reading a synthesized CDK template', () => {
  let synthesized: CfnTemplate;
  beforeAll(() => {
    synthesized = fixtureTemplate('fixture-table');
  });

  it('lists the functions with their entry, resolved environment, timeout and memory', () => {
    const functions = functionsOf(synthesized, { region: 'us-east-1' });
    const fixture = functions.find((f) => f.logicalId.startsWith('Fixture'));
    expect(fixture).toMatchObject({
      entry: FIXTURE_ENTRY,
      timeoutSeconds: 5,
      memorySize: 512,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${fixture?.logicalId}`,
      environment: {
        FIXTURE_TABLE: 'fixture-table',
        FIXTURE_TABLE_ARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/fixture-table',
        BUS: 'fixture-bus',
      },
    });
    expect(functions.find((f) => f.logicalId.startsWith('Quick'))?.timeoutSeconds).toBe(1);
    // CDK's own providers (log retention, custom resources) carry no entry and are flagged, not resolved.
    for (const fn of functions.filter(
      (f) => !f.logicalId.startsWith('Fixture') && !f.logicalId.startsWith('Quick'),
    ))
      expect(fn.entry).toBeUndefined();
  });

  it('parses each state machine’s definition with its intrinsics resolved', () => {
    const machines = stateMachinesOf(synthesized, { region: 'us-east-1' });
    expect(machines.map((m) => m.name).sort()).toEqual(['fixture-limits', 'fixture-machine']);
    const machine = machines.find((m) => m.name === 'fixture-machine');
    expect(machine?.arn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:fixture-machine');
    expect(machine?.roleArn).toMatch(/^arn:aws:iam::000000000000:role\//);
    const text = JSON.stringify(machine?.definition);
    expect(text).not.toContain('Fn::');
    expect(text).toContain('"TableName":"fixture-table"');
    expect(machine?.definition.StartAt).toBe('Fan out');
    expect(resourcesOfType(synthesized, 'AWS::DynamoDB::Table')).toHaveLength(1);
  });
});
