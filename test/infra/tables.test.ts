import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { synthTemplate } from '../../infra/synth.js';

const template = Template.fromJSON(synthTemplate());

describe('workflow tables', () => {
  it.each([WORKFLOW_TABLE, TASK_TABLE])(
    '$logicalName is on-demand, encrypted, with PITR and TTL',
    (schema) => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: `job-orchestrator-dev-${schema.logicalName}`,
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true },
        GlobalSecondaryIndexes: Object.entries(schema.indexes).map(([IndexName, index]) =>
          Match.objectLike({
            IndexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
              ...('sortKey' in index && index.sortKey
                ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }]
                : []),
            ],
          }),
        ),
      });
    },
  );
});
