import * as z from 'zod/mini';
import { CORRELATION_HEADER } from '../shared/logger.js';
import { createMetadataSchema, parameterComponents } from './openapi-parameters.js';
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
 * `metadata` as a workflow answers with it: what was stored, the definition's parameters parsed at
 * create (openapi-parameters.ts documents each), or, for a workflow created before its definition
 * declared parameters, what it was given. Fault injection (`faults`) is for local and test stacks
 * only: a deployed stage's API documents none.
 */
const METADATA_SCHEMA = {
  type: 'object',
  description:
    "The workflow's metadata, handed to every step: the parameters of its definition as parsed at create, " +
    "defaults filled in (each definition's schema: GET /definitions, or the `<Definition>Parameters` schemas " +
    'here). A workflow created before its definition declared parameters keeps the object it was given.',
  properties: {
    dataset: {
      description: 'dataset-build definitions: the synthetic dataset (DatasetBuildParameters)',
      example: { items: 200, seed: 7, duplicateRate: 0.1, invalidRate: 0.05, labels: ['cat', 'dog'] },
    },
    autoRecovery: {
      description: '`false`: a failure of this workflow is left to a person (no automatic recovery)',
      example: false,
    },
  },
  additionalProperties: true,
} as const;

type Json = Record<string, unknown>;

const SCHEMAS = '#/components/schemas/';
const ERROR_REF = `${SCHEMAS}Error`;
const responseRef = (status: keyof typeof ERROR_RESPONSES) => ({
  $ref: `#/components/responses/${ERROR_RESPONSES[status].name}`,
});

/** The named schemas of the document (components/schemas), filled as the routes are converted. */
type Components = Map<string, Json>;

/** `$ref`s of zod's output point to its `definitions`: here they are components/schemas. */
const withComponentRefs = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withComponentRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace(/^#\/definitions\//, SCHEMAS)
        : withComponentRefs(value),
    ]),
  );
};

const addComponent = (components: Components, name: string, schema: Json): void => {
  const known = components.get(name);
  // One name, one shape: the same id on two different schemas would make every $ref to it ambiguous.
  if (known && JSON.stringify(known) !== JSON.stringify(schema))
    throw new Error(`two different schemas have the id ${name}`);
  components.set(name, schema);
};

/**
 * A zod schema as an OpenAPI 3.0 schema object (zod's own z.toJSONSchema): requests as a client
 * writes them (`input`: coercions and defaults), answers as the handler sends them (`output`). A
 * part with an id (schemas.ts names the response shapes) goes to components/schemas once and is
 * referred to by `$ref`.
 */
const openApiSchemaOf = (schema: z.core.$ZodType, io: 'input' | 'output', components: Components): Json => {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def as z.core.$ZodTypeDef & { catchall?: unknown };
      // An answer's objects stay open (a client must accept a field added later); only a strict
      // object, in a request, refuses unknown keys.
      if (io === 'output' && def.type === 'object' && !def.catchall) delete jsonSchema.additionalProperties;
      // A timestamp is `format: date-time`; the pattern zod adds (its ISO grammar) only repeats it.
      if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
      if (jsonSchema.type === 'integer') {
        // `int()` is bounded by the safe integers: true of every integer the API handles, noise here.
        if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
        if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
        // `positive()` is `{minimum: 0, exclusiveMinimum: true}`: for an integer that is `{minimum: 1}`,
        // which JSON Schema tools of every draft read alike (a boolean exclusiveMinimum is draft-4 only).
        if (jsonSchema.exclusiveMinimum === true && typeof jsonSchema.minimum === 'number') {
          delete jsonSchema.exclusiveMinimum;
          jsonSchema.minimum = Math.floor(jsonSchema.minimum) + 1;
        }
      }
      // A named schema made optional is `{allOf: [{$ref}]}` (OpenAPI 3.0 ignores a $ref's siblings);
      // with no sibling, the $ref alone says the same.
      const [only, ...others] = Array.isArray(jsonSchema.allOf) ? jsonSchema.allOf : [];
      if (only && others.length === 0 && Object.keys(jsonSchema).length === 1) {
        delete jsonSchema.allOf;
        Object.assign(jsonSchema, only);
      }
    },
  }) as Json;
  const { definitions, ...root } = json;
  for (const [name, definition] of Object.entries((definitions ?? {}) as Record<string, Json>))
    addComponent(components, name, withComponentRefs(definition) as Json);
  return withComponentRefs(root) as Json;
};

/** The properties of an object schema as OpenAPI parameters (`path` ones are always required). */
const parametersOf = (
  schema: z.core.$ZodType,
  location: 'path' | 'query' | 'header',
  components: Components,
): Json[] => {
  const { properties = {}, required = [] } = openApiSchemaOf(schema, 'input', components) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    schema: property,
    required: location === 'path' || required.includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    name,
    in: location,
  }));
};

/** Conditional GETs (functions/api/conditional-get.ts): what the web console polls with. */
const IF_NONE_MATCH = z
  .optional(z.string().check(z.maxLength(1024)))
  .check(z.describe('The ETag of an answer you hold: while the answer is the same, a 304 without a body'));
const etagHeaders = {
  ETag: {
    description: "A tag of this answer's body: send it back as If-None-Match",
    required: true,
    schema: { type: 'string' },
  },
  'Cache-Control': {
    description: '`no-cache`: revalidate before reuse',
    schema: { type: 'string' },
  },
};
const notModified = {
  description: 'Not modified: the If-None-Match names the current answer; no body',
  headers: { ...correlationHeader(true), ...etagHeaders },
};

/** The request headers a route reads: Idempotency-Key (if it honours one), the correlation id, If-None-Match. */
const requestHeaders = (route: Route) =>
  z.object({
    ...('idempotent' in route && route.idempotent
      ? {
          'Idempotency-Key': z
            .optional(z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/)))
            .check(
              z.describe(
                'Makes a retry safe: within 24 hours, the same key with the same body answers the first ' +
                  'response again; with another body, 422',
              ),
            ),
        }
      : {}),
    [CORRELATION_HEADER]: z
      .optional(z.string())
      .check(
        z.describe(
          'Your id for this request, handed back and logged: used when 1-128 printable ASCII characters',
        ),
      ),
    ...(route.method === 'GET' ? { 'If-None-Match': IF_NONE_MATCH } : {}),
  });

/** One operation of the document, from its route. */
const operationOf = (route: Route, components: Components): Json => {
  const doc = OPERATION_DOCS[route.operationId];
  const get = route.method === 'GET';
  return {
    operationId: route.operationId,
    summary: route.summary,
    parameters: [
      ...('params' in route ? parametersOf(route.params, 'path', components) : []),
      ...('query' in route ? parametersOf(route.query, 'query', components) : []),
      ...parametersOf(requestHeaders(route), 'header', components),
    ],
    ...('body' in route
      ? {
          requestBody: {
            required: 'bodyRequired' in route && route.bodyRequired === true,
            content: {
              'application/json': {
                ...(doc.body ? { example: doc.body } : {}),
                schema: openApiSchemaOf(route.body, 'input', components),
              },
            },
          },
        }
      : {}),
    responses: {
      [route.status]: {
        description: doc.answer,
        headers: { ...correlationHeader(true), ...(get ? etagHeaders : {}) },
        content: { 'application/json': { schema: openApiSchemaOf(route.response, 'output', components) } },
      },
      ...(get ? { 304: notModified } : {}),
      ...Object.fromEntries(errorStatusesOf(route).map((status) => [status, responseRef(status)])),
    },
  };
};

/** Every `metadata` property (the workflow's, in requests and answers) refers to the Metadata schema. */
const metadataByRef = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(metadataByRef);
  if (!node || typeof node !== 'object') return node;
  const object = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, metadataByRef(value)]));
  const properties = object.properties as Record<string, unknown> | undefined;
  if (properties && typeof properties === 'object' && 'metadata' in properties)
    object.properties = { ...properties, metadata: { $ref: `${SCHEMAS}Metadata` } };
  return object;
};

/** The create body's `metadata` is the named definition's parameters, not any stored metadata. */
const withCreateMetadata = (paths: Record<string, Record<string, Json>>): void => {
  const body = (
    paths['/workflows'] as { post: { requestBody: { content: Record<string, { schema: Json }> } } }
  ).post.requestBody.content['application/json']?.schema as { properties: Record<string, unknown> };
  body.properties.metadata = createMetadataSchema();
};

/** Each parameter with an example in PARAMETER_EXAMPLES shows it. */
const withParameterExamples = (paths: Record<string, Record<string, Json>>): void => {
  for (const item of Object.values(paths))
    for (const operation of Object.values(item))
      for (const parameter of (operation.parameters ?? []) as Json[]) {
        const example = PARAMETER_EXAMPLES[parameter.name as string];
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
  // The error schema (id `Error`) is converted first: it is in the document although only the
  // error responses refer to it.
  const components: Components = new Map();
  openApiSchemaOf(ErrorResponse, 'output', components);
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operationOf(route, components);
    paths[route.path] = item;
  }
  const generated = metadataByRef({ schemas: Object.fromEntries(components), paths }) as {
    schemas: Record<string, Json>;
    paths: Record<string, Record<string, Json>>;
  };
  withCreateMetadata(generated.paths);
  withParameterExamples(generated.paths);
  return {
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
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (IAM); the default (CDK context apiAuth=iam)',
        },
        apiKey: {
          type: 'apiKey',
          name: 'x-api-key',
          in: 'header',
          description: 'API key of the usage plan (CDK context apiAuth=apiKey)',
        },
      },
      responses: errorResponseComponents(ERROR_REF),
      schemas: { ...generated.schemas, Metadata: METADATA_SCHEMA, ...parameterComponents() },
    },
    paths: generated.paths,
  };
};

/** The document as written to docs/openapi.json (stable formatting, trailing newline). */
export const renderOpenApiDocument = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
