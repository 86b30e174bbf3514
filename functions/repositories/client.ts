import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_ENV } from './table-schema.js';

export interface DocumentClientOptions {
  /**
   * Only for callers that know a server explicitly (tests, the local stack). Handlers leave it out:
   * the SDK itself honours AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL, locally and on LocalStack.
   */
  readonly endpoint?: string;
}

export const createDocumentClient = (options: DocumentClientOptions = {}): DynamoDBDocumentClient => {
  const client = new DynamoDBClient(options.endpoint ? { endpoint: options.endpoint } : {});
  // Optional record fields are written as absent rather than rejected by the marshaller.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
};

export interface TableNames {
  readonly workflows: string;
  readonly tasks: string;
}

export const tableNamesFromEnv = (env: NodeJS.ProcessEnv = process.env): TableNames => {
  const read = (variable: string): string => {
    const value = env[variable];
    if (!value) throw new Error(`Environment variable ${variable} is not set: it names a DynamoDB table`);
    return value;
  };
  return { workflows: read(TABLE_ENV.workflows), tasks: read(TABLE_ENV.tasks) };
};
