import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { CORRELATION_HEADER } from '../shared/logger.js';
import {
  correlationHeader,
  ERROR_RESPONSES,
  errorResponseComponents,
  errorStatusesOf,
} from './openapi-responses.js';
import { type OperationId, type Route, routes } from './routes.js';
import { ErrorResponse } from './schemas.js';

/*
 * docs/openapi.json: generated from the route table and its zod schemas (`npm run openapi`; a test
 * checks the committed file is current, another lints it with Redocly's recommended rules). It
 * describes a deployed stage's API: what API Gateway answers on its own is documented beside what
 * the handler answers, and `metadata` has no fault-injection keys.
 */

const WORKFLOW_ID = '01JD2Q8W4M6Y0B3C5E7G9K1N2P';

/** Per operation: what its success answer is, and a valid request (the contract test sends it). */
interface OperationDoc {
  readonly answer: string;
  readonly body?: Record<string, unknown>;
}

const ACTION_ANSWER = 'The workflow after the transition';

export const OPERATION_DOCS: Readonly<Record<OperationId, OperationDoc>> = {
  createWorkflow: {
    answer:
      'Created: the new workflow (`pending`, or `running` when `start` is true). A repeat with the same ' +
      'Idempotency-Key and body within 24 hours answers this same response again and creates nothing.',
    body: {
      jobId: 'job-42',
      definition: 'dataset-build',
      metadata: { dataset: { items: 200, seed: 7 } },
      start: true,
    },
  },
  listWorkflows: { answer: 'A page of workflows, newest first; `nextCursor` when there are more' },
  getWorkflow: { answer: 'The workflow' },
  getWorkflowProgress: { answer: 'Its progress: counters, weighted progress, ETA, execution link, tasks' },
  getWorkflowTasks: { answer: 'Its tasks, by step index' },
  listTaskItems: {
    answer:
      "A page of the step's item outcomes in index order; `nextCursor` when there are more. Empty " +
      'until the step has listed its items',
  },
  getWorkflowHistory: {
    answer:
      "A page of the run's Step Functions execution history, in order, and the runs there are; " +
      '`nextCursor` when there are more. Empty for a workflow never started',
  },
  startWorkflow: { answer: ACTION_ANSWER, body: {} },
  pauseWorkflow: { answer: ACTION_ANSWER, body: {} },
  resumeWorkflow: { answer: ACTION_ANSWER, body: {} },
  cancelWorkflow: { answer: ACTION_ANSWER, body: {} },
  recoverWorkflow: {
    answer: 'The workflow, now `running` its new run, and the steps that run executes (`rerun`)',
    body: { fromStep: 'label', skip: [], reason: 'fixed the labeller' },
  },
  listJobWorkflows: { answer: 'A page of the workflows of the job, newest first' },
  getJobWorkflow: { answer: "The job's newest workflow" },
  listDefinitions: { answer: 'Every workflow definition, with its steps and state machine' },
};

/** Examples of parameters, by name (every operation that has one shows it). */
export const PARAMETER_EXAMPLES: Readonly<Record<string, string | number>> = {
  id: WORKFLOW_ID,
  jobId: 'job-42',
  step: 'download',
  view: 'active',
  status: 'failed',
  createdDay: '2025-01-31',
  limit: 25,
  run: 0,
  'Idempotency-Key': 'create-job-42',
  [CORRELATION_HEADER]: 'req-7f3a9c',
};

/**
 * `metadata` as documented: the API keeps any JSON object within its limits (schemas.ts, Metadata)
 * and the steps validate the keys they read, so the known keys are described, not constrained.
 * Once definitions declare their parameters (the versions/parameters issue), each definition's
 * parameter schema is referenced here. Fault injection (`faults`) is for local and test stacks
 * only: a deployed stage's API documents none.
 */
const METADATA_SCHEMA = {
  type: 'object',
  description:
    'Free-form JSON object kept with the workflow and handed to every step: at most 16 KiB as JSON, ' +
    '16 levels deep, non-empty keys, numbers 0 or 1e-100..2^53 in magnitude. The API stores it as ' +
    'given; each step validates the keys it reads, so a bad value fails the workflow (a non-retryable ' +
    "step error), not the request. Known keys are listed; a definition's own parameter schema will " +
    'be referenced here once definitions declare them.',
  properties: {
    dataset: {
      description:
        'dataset-build definitions: the synthetic dataset, `{items: 1..1000 (default 200), seed: integer ' +
        '(default 1), duplicateRate: 0..0.9 (default 0.1), invalidRate: 0..0.9 (default 0.05), labels: ' +
        '1..20 names of 1..40 characters (default cat, dog, bird)}`; unknown keys are ignored',
      example: { items: 200, seed: 7, labels: ['cat', 'dog'] },
    },
    autoRecovery: {
      description: '`false`: a failure of this workflow is left to a person (no automatic recovery)',
      example: false,
    },
  },
  additionalProperties: true,
} as const;

const ERROR_REF = '#/components/schemas/Error';
const responseRef = (status: keyof typeof ERROR_RESPONSES) => ({
  $ref: `#/components/responses/${ERROR_RESPONSES[status].name}`,
});

const registerRoute = (registry: OpenAPIRegistry, route: Route): void => {
  const idempotent = 'idempotent' in route && route.idempotent;
  const doc = OPERATION_DOCS[route.operationId];
  const headers = z.object({
    ...(idempotent
      ? {
          'Idempotency-Key': z
            .string()
            .regex(/^[\x21-\x7e]{1,255}$/)
            .optional()
            .describe(
              'Makes a retry safe: within 24 hours, the same key with the same body answers the first ' +
                'response again; with another body, 422',
            ),
        }
      : {}),
    [CORRELATION_HEADER]: z
      .string()
      .optional()
      .describe(
        'Your id for this request, handed back and logged: used when 1-128 printable ASCII characters',
      ),
  });
  registry.registerPath({
    method: route.method.toLowerCase() as 'get' | 'post',
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    request: {
      ...('params' in route ? { params: route.params } : {}),
      ...('query' in route ? { query: route.query as z.ZodObject } : {}),
      headers,
      ...('body' in route
        ? {
            body: {
              required: 'bodyRequired' in route && route.bodyRequired === true,
              content: {
                'application/json': { schema: route.body, ...(doc.body ? { example: doc.body } : {}) },
              },
            },
          }
        : {}),
    },
    responses: {
      [route.status]: {
        description: doc.answer,
        headers: correlationHeader(true),
        content: { 'application/json': { schema: route.response } },
      },
      ...Object.fromEntries(errorStatusesOf(route).map((status) => [status, responseRef(status)])),
    },
  });
};

type Json = unknown;

/**
 * `z.unknown()` becomes `{nullable: true}`, which OpenAPI 3.0 reads as nothing (nullable needs a
 * type): any JSON value is `{}`.
 */
const anyValueWithoutNullable = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(anyValueWithoutNullable);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(([key, value]) => [key, anyValueWithoutNullable(value)] as const);
  const object = Object.fromEntries(entries) as Record<string, Json>;
  const typed = ['type', '$ref', 'allOf', 'anyOf', 'oneOf'].some((key) => key in object);
  if (object.nullable === true && !typed) delete object.nullable;
  return object;
};

/**
 * `z.number().int().positive()` becomes `{minimum: 0, exclusiveMinimum: true}`: for an integer that
 * is `{minimum: 1}`, which JSON Schema tools of every draft read alike (a boolean exclusiveMinimum
 * is draft-4 only).
 */
const integerMinimums = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(integerMinimums);
  if (!node || typeof node !== 'object') return node;
  const object = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, integerMinimums(value)]),
  );
  if (object.type === 'integer' && object.exclusiveMinimum === true && typeof object.minimum === 'number') {
    delete object.exclusiveMinimum;
    object.minimum = Math.floor(object.minimum) + 1;
  }
  return object;
};

/** Every `metadata` property (the workflow's, in requests and answers) refers to the Metadata schema. */
const metadataByRef = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(metadataByRef);
  if (!node || typeof node !== 'object') return node;
  const object = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, metadataByRef(value)]));
  const properties = object.properties as Record<string, Json> | undefined;
  if (properties && typeof properties === 'object' && 'metadata' in properties)
    object.properties = { ...properties, metadata: { $ref: '#/components/schemas/Metadata' } };
  return object;
};

interface Parameter {
  name: string;
  in: string;
  example?: string | number;
}

const withParameterExamples = (paths: Record<string, Record<string, { parameters?: Parameter[] }>>) => {
  for (const item of Object.values(paths))
    for (const operation of Object.values(item))
      for (const parameter of operation.parameters ?? []) {
        const example = PARAMETER_EXAMPLES[parameter.name];
        if (example !== undefined) parameter.example = example;
      }
};

const SERVERS = [
  {
    url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
    description: "A deployed stage: the stack's ControlApi endpoint output (`cdk deploy -c stage=<stage>`)",
    variables: {
      restApiId: { default: 'restApiId', description: 'Placeholder: the id of the stage API' },
      region: { default: 'us-east-1', description: 'The region the stack is deployed in' },
      stage: { default: 'dev', description: 'The CDK context `stage` (default dev)' },
    },
  },
  { url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`), without authentication' },
];

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
  for (const [name, response] of Object.entries(errorResponseComponents(ERROR_REF)))
    registry.registerComponent(
      'responses',
      name,
      response as Parameters<OpenAPIRegistry['registerComponent']>[2],
    );
  for (const route of routes) registerRoute(registry, route);
  // The error schema is named by its `meta({ id: 'Error' })`: listed here, it is in the document
  // although only the responses above refer to it.
  const definitions = [...registry.definitions, { type: 'schema' as const, schema: ErrorResponse }];
  const generated = new OpenApiGeneratorV3(definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Job orchestrator control API',
      version: '1.0.0',
      description:
        'Create, drive and observe dataset-build workflows. Every error is `{error, message, details?}` ' +
        '(the Error schema), whether the handler or API Gateway answers it; lists are `{items, nextCursor}`. ' +
        'Every answer of the handler carries `x-correlation-id`. This document describes a deployed stage: ' +
        'local and test stacks also accept fault-injection keys in `metadata`, which it leaves out. A path ' +
        'or method the API does not have is answered by API Gateway with a 403 (404 or 405 on the local stack).',
    },
    servers: SERVERS,
    security: [{ sigv4: [] }, { apiKey: [] }],
  });
  const document = metadataByRef(integerMinimums(anyValueWithoutNullable(generated))) as typeof generated;
  (document.components as { schemas: Record<string, unknown> }).schemas.Metadata = METADATA_SCHEMA;
  withParameterExamples(document.paths as Parameters<typeof withParameterExamples>[0]);
  return document;
};

/** The document as written to docs/openapi.json (stable formatting, trailing newline). */
export const renderOpenApiDocument = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
