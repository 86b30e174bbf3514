import type * as z from 'zod/mini';
import {
  CreateWorkflowBody,
  DefinitionList,
  EmptyBody,
  HistoryPage,
  HistoryQuery,
  ItemPage,
  JobIdParams,
  ListWorkflowsQuery,
  PageQuery,
  ProgressResponse,
  RecoverBody,
  RecoverResponse,
  TaskItemsParams,
  TaskItemsQuery,
  TaskList,
  WorkflowIdParams,
  WorkflowPage,
  WorkflowResponse,
} from './schemas.js';

/*
 * THE route table. The CDK construct (infra/api.ts) builds the API Gateway resources, methods and
 * request models from it, scripts/openapi.ts the OpenAPI document, and router.ts dispatches on it:
 * a route exists in all three or in none.
 */

export type HttpMethod = 'GET' | 'POST';

export interface RouteSpec {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** API Gateway resource path: `{name}` is a path parameter (the same syntax as OpenAPI). */
  readonly path: string;
  readonly summary: string;
  readonly params?: z.core.$ZodObject;
  readonly query?: z.core.$ZodType;
  readonly body?: z.core.$ZodObject;
  /** A body must be sent (else it may be left out and means `{}`). */
  readonly bodyRequired?: boolean;
  /** Honours an `Idempotency-Key` header. */
  readonly idempotent?: boolean;
  readonly status: 200 | 201;
  readonly response: z.core.$ZodType;
  /** Error statuses the route can answer besides 400/415/500 (documented in OpenAPI). */
  readonly errors: readonly (404 | 409 | 422 | 503)[];
}

const route = <const R extends RouteSpec>(spec: R): R => spec;

const action = <const Id extends string, const Verb extends string>(
  operationId: Id,
  verb: Verb,
  summary: string,
) =>
  route({
    operationId,
    method: 'POST',
    path: `/workflows/{id}/${verb}`,
    summary,
    params: WorkflowIdParams,
    body: EmptyBody,
    status: 200,
    response: WorkflowResponse,
    errors: [404, 409],
  });

export const routes = [
  route({
    operationId: 'createWorkflow',
    method: 'POST',
    path: '/workflows',
    summary: 'Create a workflow for a job from a definition (and start it if `start` is true)',
    body: CreateWorkflowBody,
    bodyRequired: true,
    idempotent: true,
    status: 201,
    response: WorkflowResponse,
    errors: [409, 422, 503],
  }),
  route({
    operationId: 'listWorkflows',
    method: 'GET',
    path: '/workflows',
    summary: 'List workflows by view, status, job or creation day, newest first',
    query: ListWorkflowsQuery,
    status: 200,
    response: WorkflowPage,
    errors: [],
  }),
  route({
    operationId: 'getWorkflow',
    method: 'GET',
    path: '/workflows/{id}',
    summary: 'Get a workflow',
    params: WorkflowIdParams,
    status: 200,
    response: WorkflowResponse,
    errors: [404],
  }),
  route({
    operationId: 'getWorkflowProgress',
    method: 'GET',
    path: '/workflows/{id}/progress',
    summary: 'Progress of a workflow: counters, weighted progress, ETA, execution link and tasks',
    params: WorkflowIdParams,
    status: 200,
    response: ProgressResponse,
    errors: [404],
  }),
  route({
    operationId: 'getWorkflowTasks',
    method: 'GET',
    path: '/workflows/{id}/tasks',
    summary: 'The tasks of a workflow, by step index',
    params: WorkflowIdParams,
    status: 200,
    response: TaskList,
    errors: [404],
  }),
  route({
    operationId: 'listTaskItems',
    method: 'GET',
    path: '/workflows/{id}/tasks/{step}/items',
    summary: "A fan-out step's item outcomes, in index order, optionally of one status",
    params: TaskItemsParams,
    query: TaskItemsQuery,
    status: 200,
    response: ItemPage,
    errors: [404],
  }),
  route({
    operationId: 'getWorkflowHistory',
    method: 'GET',
    path: '/workflows/{id}/history',
    summary:
      "The Step Functions execution history of one of a workflow's runs (default: the current one), as AWS's HistoryEvent objects",
    params: WorkflowIdParams,
    query: HistoryQuery,
    status: 200,
    response: HistoryPage,
    errors: [404],
  }),
  action('startWorkflow', 'start', 'Start a pending workflow: starts its Step Functions execution'),
  action('pauseWorkflow', 'pause', 'Pause a running workflow at the next step boundary'),
  action('resumeWorkflow', 'resume', 'Resume a paused workflow'),
  action('cancelWorkflow', 'cancel', 'Cancel a workflow: stops its execution now'),
  route({
    operationId: 'recoverWorkflow',
    method: 'POST',
    path: '/workflows/{id}/recover',
    summary:
      'Recover a failed workflow: a new run of the steps not done (plus fromStep and its dependents, minus skip)',
    params: WorkflowIdParams,
    body: RecoverBody,
    status: 200,
    response: RecoverResponse,
    errors: [404, 409],
  }),
  route({
    operationId: 'listJobWorkflows',
    method: 'GET',
    path: '/jobs/{jobId}/workflows',
    summary: 'The workflows of a job, newest first',
    params: JobIdParams,
    query: PageQuery,
    status: 200,
    response: WorkflowPage,
    errors: [],
  }),
  route({
    operationId: 'getJobWorkflow',
    method: 'GET',
    path: '/jobs/{jobId}/workflow',
    summary: 'The workflow of a job: its newest one',
    params: JobIdParams,
    status: 200,
    response: WorkflowResponse,
    errors: [404],
  }),
  route({
    operationId: 'listDefinitions',
    method: 'GET',
    path: '/definitions',
    summary: 'The workflow definitions this deployment runs',
    status: 200,
    response: DefinitionList,
    errors: [],
  }),
] as const;

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];
export type RouteOf<Id extends OperationId> = Extract<Route, { operationId: Id }>;

type Parsed<S> = S extends z.core.$ZodType ? z.output<S> : undefined;

/** What an operation gets: the validated path parameters, query and body of its route. */
export interface OperationInput<Id extends OperationId> {
  readonly params: Parsed<RouteOf<Id> extends { params: infer P } ? P : undefined>;
  readonly query: Parsed<RouteOf<Id> extends { query: infer Q } ? Q : undefined>;
  readonly body: Parsed<RouteOf<Id> extends { body: infer B } ? B : undefined>;
  readonly headers: Readonly<Record<string, string>>;
}

export type OperationOutput<Id extends OperationId> = z.input<RouteOf<Id>['response']>;
