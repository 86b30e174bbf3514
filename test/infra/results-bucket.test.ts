import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envName, RESULTS_KEY_PREFIX } from '../../functions/config/environment.js';
import { TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { buildApp } from '../../infra/build-app.js';
import type { CfnTemplate } from '../../infra/synth.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation is untyped JSON.
type Json = any;

const synth = (context: Record<string, unknown> = {}): CfnTemplate => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'results-bucket-')),
    context: { stage: 'dev', ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = buildApp(app);
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
};

const resources = (raw: CfnTemplate, type: string): [string, Json][] =>
  Object.entries(raw.Resources).filter(([, r]) => r.Type === type) as [string, Json][];

/** The results bucket: the one with a BucketName (its access-log bucket is named by CloudFormation). */
const resultsBucketId = (raw: CfnTemplate): string => {
  const found = resources(raw, 'AWS::S3::Bucket').filter(([, r]) => r.Properties.BucketName);
  expect(found).toHaveLength(1);
  return (found[0] as [string, Json])[0];
};

/** Each app function (one with an entry) with its entry, environment and IAM statements. */
const appFunctions = (raw: CfnTemplate) => {
  const policies = resources(raw, 'AWS::IAM::Policy');
  return resources(raw, 'AWS::Lambda::Function')
    .filter(([, fn]) => typeof fn.Metadata?.[ENTRY_METADATA_KEY] === 'string')
    .map(([logicalId, fn]) => {
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      const statements = policies
        .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
      return {
        logicalId,
        entry: fn.Metadata[ENTRY_METADATA_KEY] as string,
        environment: (fn.Properties.Environment?.Variables ?? {}) as Record<string, Json>,
        s3Statements: statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:'))),
      };
    });
};

describe('results bucket (stage dev, default retention)', () => {
  let raw: CfnTemplate;
  let template: Template;
  let bucket: string;
  beforeAll(() => {
    raw = synth();
    template = Template.fromJSON(raw);
    bucket = resultsBucketId(raw);
  });

  it('is named per stage, account and region, encrypted with S3-managed keys, private, logged', () => {
    const accessLogs = resources(raw, 'AWS::S3::Bucket').find(([id]) => id !== bucket)?.[0];
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketName: {
          'Fn::Join': ['', ['job-orchestrator-dev-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: accessLogs },
          LogFilePrefix: 'results-bucket/',
        },
        VersioningConfiguration: Match.absent(),
      }),
      // dev: destroyed with the stack, like its tables (emptied first by CDK's auto-delete).
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucket } });
  });

  it('every bucket of the app refuses requests without TLS (and below TLS 1.2) and blocks public access', () => {
    const buckets = resources(raw, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [id, resource] of buckets) {
      expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(resource.Properties.BucketEncryption).toBeDefined();
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            }),
          ]),
        },
      });
    }
  });

  it(`expires objects under ${RESULTS_KEY_PREFIX} after 90 days, the default retention`, () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'expire-results', Prefix: RESULTS_KEY_PREFIX, ExpirationInDays: 90, Status: 'Enabled' },
        ]),
      },
    });
  });

  it.each([WORKFLOW_TABLE, TASK_TABLE])('$logicalName has TTL on expiresAt', (schema) => {
    expect(schema.timeToLiveAttribute).toBe('expiresAt');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `job-orchestrator-dev-${schema.logicalName}`,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('every app function gets RETENTION_DAYS; the steps and the API get RESULTS_BUCKET', () => {
    const functions = appFunctions(raw);
    expect(functions.length).toBeGreaterThan(5);
    for (const fn of functions) {
      expect(fn.environment[envName('retentionDays')], fn.entry).toBe('90');
      const withBucket = fn.entry.startsWith('functions/steps/') || fn.entry === 'functions/api/handler.ts';
      expect(fn.environment[envName('resultsBucket')], fn.entry).toEqual(
        withBucket ? { Ref: bucket } : undefined,
      );
    }
  });

  it(`grants steps GetObject and PutObject, the API GetObject, on ${RESULTS_KEY_PREFIX}* only; no one else any S3 action`, () => {
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${RESULTS_KEY_PREFIX}*`]] };
    const functions = appFunctions(raw);
    const steps = functions.filter((fn) => fn.entry.startsWith('functions/steps/'));
    expect(steps.length).toBeGreaterThan(4);
    for (const fn of functions) {
      const expected = fn.entry.startsWith('functions/steps/')
        ? [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects }]
        : fn.entry === 'functions/api/handler.ts'
          ? [{ Effect: 'Allow', Action: 's3:GetObject', Resource: objects }]
          : [];
      expect(fn.s3Statements, fn.entry).toEqual(expected);
    }
    // Nor does any other identity policy of the stack name an S3 action, but the state machines whose
    // fan-out steps read their work lists and write their Map Run files, on the same prefix.
    const s3Statements = resources(raw, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => ([s.Action].flat() as string[]).some((action) => action.startsWith('s3:')));
    const s3Actions = s3Statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(new Set(s3Actions)).toEqual(
      new Set(['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload']),
    );
    for (const statement of s3Statements) expect(statement.Resource).toEqual(objects);
  });
});

describe('retention setting (CDK context retentionDays)', () => {
  it('drives the lifecycle rule and RETENTION_DAYS; outside dev the buckets are retained', () => {
    const raw = synth({ stage: 'prod', retentionDays: '30' });
    const template = Template.fromJSON(raw);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', Match.arrayWith(['job-orchestrator-prod-'])] },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: RESULTS_KEY_PREFIX, ExpirationInDays: 30 })]),
      },
    });
    for (const [, bucket] of resources(raw, 'AWS::S3::Bucket')) expect(bucket.DeletionPolicy).toBe('Retain');
    expect(resources(raw, 'Custom::S3AutoDeleteObjects')).toEqual([]);
    for (const fn of appFunctions(raw)) expect(fn.environment[envName('retentionDays')], fn.entry).toBe('30');
  });

  it.each<unknown>([0, -1, 1.5, 'abc', '', '7d', true])('refuses %j, naming the setting', (value) => {
    expect(() => synth({ retentionDays: value })).toThrow(
      `context "retentionDays" must be a whole number of days >= 1 (got ${JSON.stringify(value)})`,
    );
  });
});
