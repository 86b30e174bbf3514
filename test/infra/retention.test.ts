import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { buildApp } from '../../infra/build-app.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation is untyped JSON.
type Json = any;

let template: Template;
beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'retention-')),
    context: { stage: 'dev', 'aws:cdk:bundling-stacks': [] },
  });
  template = Template.fromStack(buildApp(app));
}, 120_000);

const retentionFunction = (): [string, Json] => {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, fn]) => (fn as Json).Metadata?.[ENTRY_METADATA_KEY] === 'functions/retention/handler.ts',
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, Json];
};

describe('retention of expired workflows', () => {
  it('streams the keys of the workflow table (only), where TTL deletions appear', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: Match.stringLikeRegexp(`${WORKFLOW_TABLE.logicalName}$`),
      StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const streams = Object.values(template.findResources('AWS::DynamoDB::Table')).filter(
      (t) => (t as Json).Properties.StreamSpecification,
    );
    expect(streams).toHaveLength(1);
  });

  it('runs the retention function on TTL deletions only, failed batches to an encrypted queue', () => {
    const [logicalId] = retentionFunction();
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
      (m) => (m as Json).Properties.FunctionName.Ref === logicalId,
    ) as Json;
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
    });
    const pattern = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual({
      eventName: ['REMOVE'],
      userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
    });
    expect(mapping.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
  });

  it('lets the function query and delete tasks, and read the stream, nothing more', () => {
    const [logicalId, fn] = retentionFunction();
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p as Json).Properties.Roles.some((r: Json) => r.Ref === role))
      .flatMap((p) => (p as Json).Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: Json) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('dynamodb:')).sort()).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'dynamodb:Query',
      ].sort(),
    );
    expect(actions.every((a: string) => !a.includes('*'))).toBe(true);
    expect(logicalId).toBeDefined();
  });
});
