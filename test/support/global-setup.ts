import type { TestProject } from 'vitest/node';
import { startDynamoServer } from '../../infra/local/dynamodb-server.js';
import { startS3Server } from '../../infra/local/s3-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    dynamoEngine: string;
    s3Endpoint: string;
  }
}

/**
 * One DynamoDB-API server and one S3 server on 127.0.0.1 for the whole run; each test file makes
 * its own tables and buckets (a stage of its own names them).
 */
export default async function setup(project: TestProject) {
  const engine = process.env.DYNAMO_ENGINE as 'dynamodb-local' | 'dynalite' | undefined;
  const [server, s3] = await Promise.all([startDynamoServer({ engine: engine ?? 'auto' }), startS3Server()]);
  project.provide('dynamoEndpoint', server.endpoint);
  project.provide('dynamoEngine', server.engine);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.all([server.stop(), s3.stop()]);
  };
}
