import type { TestProject } from 'vitest/node';
import { startDynamoServer } from '../../infra/local/dynamodb-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    dynamoEngine: string;
  }
}

/** One DynamoDB-API server on 127.0.0.1 for the whole run; each test file makes its own tables. */
export default async function setup(project: TestProject) {
  const engine = process.env.DYNAMO_ENGINE as 'dynamodb-local' | 'dynalite' | undefined;
  const server = await startDynamoServer({ engine: engine ?? 'auto' });
  project.provide('dynamoEndpoint', server.endpoint);
  project.provide('dynamoEngine', server.engine);
  return () => server.stop();
}
