import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { CfnTemplate } from '../synth.js';

interface CfnTableProperties {
  TableName?: string;
  KeySchema: CreateTableCommandInput['KeySchema'];
  AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  GlobalSecondaryIndexes?: CreateTableCommandInput['GlobalSecondaryIndexes'];
  LocalSecondaryIndexes?: CreateTableCommandInput['LocalSecondaryIndexes'];
}

export interface TemplateTable {
  readonly logicalId: string;
  readonly input: CreateTableCommandInput;
}

/**
 * The CreateTable requests that rebuild a template's DynamoDB tables on a local server: the
 * template is the only schema, so a GSI added in CDK reaches the tests and the local stack as is.
 */
export const tablesFromTemplate = (template: CfnTemplate): TemplateTable[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => {
      const props = resource.Properties as unknown as CfnTableProperties;
      if (typeof props.TableName !== 'string') throw new Error(`table ${logicalId} has no literal TableName`);
      return {
        logicalId,
        input: {
          TableName: props.TableName,
          KeySchema: props.KeySchema,
          AttributeDefinitions: props.AttributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
          ...(props.GlobalSecondaryIndexes
            ? {
                GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map(
                  ({ IndexName, KeySchema, Projection }) => ({
                    IndexName,
                    KeySchema,
                    Projection,
                  }),
                ),
              }
            : {}),
          ...(props.LocalSecondaryIndexes ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes } : {}),
        },
      };
    });
