import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as z from 'zod/mini';

/**
 * A zod request schema as an API Gateway model schema: JSON Schema draft 4 (all API Gateway
 * validates), generated from the same schema the handler validates with.
 */
export const modelSchemaOf = (schema: z.core.$ZodType): apigw.JsonSchema => {
  const { $schema: _version, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-04',
    io: 'input',
  }) as Record<string, unknown>;
  return { schema: apigw.JsonSchemaVersion.DRAFT4, ...(rest as apigw.JsonSchema) };
};
