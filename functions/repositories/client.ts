import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Environment, setting } from '../config/environment.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';

export interface DocumentClientOptions {
  /**
   * Only for callers that know a server explicitly (tests, the local stack). Handlers leave it out:
   * the SDK itself honours AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL, locally and on LocalStack.
   */
  readonly endpoint?: string;
}

export const createDocumentClient = (options: DocumentClientOptions = {}): DynamoDBDocumentClient => {
  // Retried with jitter (shared/sdk-retry.ts); every write the repositories make is safe to retry.
  const client = new DynamoDBClient({
    ...sdkRetryConfig(),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  // Optional record fields are written as absent rather than rejected by the marshaller.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
};

export interface TableNames {
  readonly workflows: string;
  readonly tasks: string;
}

export const tableNamesFromEnv = (env: Environment = process.env): TableNames => ({
  workflows: setting('workflowTable', env),
  tasks: setting('taskTable', env),
});
