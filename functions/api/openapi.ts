import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { type Route, routes } from './routes.js';
import { ErrorResponse } from './schemas.js';

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid input: `details` names each field and rule',
  404: 'Unknown id',
  409: 'Illegal transition (e.g. `Cannot start workflow in running state`) or recovery limit reached',
  415: 'The body is not application/json',
  422: 'Idempotency-Key reused with a different body',
  500: 'Internal error (no detail)',
};

const errorResponse = (status: number) => ({
  description: ERROR_DESCRIPTIONS[status] ?? 'Error',
  content: { 'application/json': { schema: ErrorResponse } },
});

const registerRoute = (registry: OpenAPIRegistry, route: Route): void => {
  const statuses = [400, ...(route.method === 'POST' ? [415] : []), ...route.errors, 500];
  const idempotent = 'idempotent' in route && route.idempotent;
  registry.registerPath({
    method: route.method.toLowerCase() as 'get' | 'post',
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    request: {
      ...('params' in route ? { params: route.params } : {}),
      ...('query' in route ? { query: route.query as z.ZodObject } : {}),
      ...(idempotent
        ? { headers: z.object({ 'Idempotency-Key': z.string().min(1).max(255).optional() }) }
        : {}),
      ...('body' in route
        ? {
            body: {
              required: 'bodyRequired' in route && route.bodyRequired === true,
              content: { 'application/json': { schema: route.body } },
            },
          }
        : {}),
    },
    responses: {
      [route.status]: {
        description: 'OK',
        content: { 'application/json': { schema: route.response } },
      },
      ...Object.fromEntries(statuses.map((status) => [status, errorResponse(status)])),
    },
  });
};

/** The OpenAPI 3 document of the API, generated from the route table and its zod schemas. */
export const buildOpenApiDocument = () => {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'sigv4', {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    description: 'AWS Signature Version 4 (IAM); the default (CDK context apiAuth=iam)',
  });
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    name: 'x-api-key',
    in: 'header',
    description: 'API key of the usage plan (CDK context apiAuth=apiKey)',
  });
  for (const route of routes) registerRoute(registry, route);
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Job orchestrator control API',
      version: '1.0.0',
      description:
        'Create, drive and observe dataset-build workflows. Errors are `{error, message, details}`; lists are `{items, nextCursor}`.',
    },
    security: [{ sigv4: [] }, { apiKey: [] }],
  });
};

/** The document as written to docs/openapi.json (stable formatting, trailing newline). */
export const renderOpenApiDocument = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
