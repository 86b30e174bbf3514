import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { setting } from '../config/environment.js';
import { CORRELATION_HEADER, logger } from '../shared/logger.js';
import { powertools } from '../shared/powertools.js';
import { conditionalGet } from './conditional-get.js';
import { correlationIdOf } from './correlation.js';
import { cors } from './cors.js';
import { type ApiDeps, depsFromEnv } from './deps.js';
import { HttpError, httpErrors, jsonResponse } from './http-errors.js';
import { type IdempotentRequest, idempotencyKeyOf, makeIdempotentRunner } from './idempotency.js';
import { type OperationContext, operations } from './operations.js';
import { parseRequest } from './request.js';
import { matchRoute } from './router.js';
import type { OperationId } from './routes.js';
import { settleCreate } from './start-unavailable.js';

type AnyOperation = (input: unknown, context: OperationContext) => unknown;
/** The correlation id rides beside the request: the idempotency key and payload hash leave it out. */
type ApiRequest = IdempotentRequest & { readonly correlationId: string };

/**
 * The one API Lambda (one function for every route: fewer cold starts). It routes on the route
 * table, validates the request with the route's zod schemas, runs the operation, and leaves every
 * error to the http-errors middleware.
 */
export const createApiHandler = (getDeps: () => ApiDeps) => {
  let deps: ApiDeps | undefined;
  let runIdempotent: ((request: IdempotentRequest, context: Context) => Promise<unknown>) | undefined;
  /** Requests whose operation ran in this invocation (not answered from an Idempotency-Key record). */
  const dispatched = new WeakSet<IdempotentRequest>();

  const dispatch = async (request: IdempotentRequest): Promise<unknown> => {
    dispatched.add(request);
    // The route table and `operations` share their keys (a type error otherwise).
    const operation = operations[request.operationId as OperationId] as AnyOperation;
    const { correlationId } = request as ApiRequest;
    return operation(request, { orchestrator: (deps as ApiDeps).orchestrator, correlationId });
  };

  // CORS outside httpErrors: the errors it answers get the headers too (functions/api/cors.ts).
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(powertools())
    .use(cors(() => setting('consoleOrigins')))
    .use(conditionalGet())
    .use(httpErrors())
    .handler(async (event, context) => {
      const correlationId = correlationIdOf(event);
      logger.setCorrelationId(correlationId);
      logger.appendKeys({ route: `${event.httpMethod} ${event.resource ?? event.path}` });
      const match = matchRoute(event);
      if (match.kind === 'not-found') throw new HttpError(404, 'RouteNotFound', 'No such route');
      if (match.kind === 'method-not-allowed') {
        const allow = match.allowed.join(', ');
        throw new HttpError(
          405,
          'MethodNotAllowed',
          `Method not allowed here; allowed: ${allow}`,
          undefined,
          {
            Allow: allow,
          },
        );
      }
      const { route } = match;
      const parsed = parseRequest(event, route, match.pathParameters);
      deps ??= getDeps();
      const key = 'idempotent' in route && route.idempotent ? idempotencyKeyOf(parsed.headers) : undefined;
      const request: ApiRequest = {
        operationId: route.operationId,
        key: key ?? '',
        correlationId,
        ...parsed,
      };
      if (typeof parsed.params === 'object' && parsed.params && 'id' in parsed.params)
        logger.appendKeys({ workflowId: String(parsed.params.id) });
      let result: unknown;
      if (key && deps.idempotencyStore) {
        runIdempotent ??= makeIdempotentRunner(deps.idempotencyStore, dispatch);
        result = await runIdempotent(request, context);
      } else {
        result = await dispatch(request);
      }
      if (route.operationId === 'createWorkflow')
        result = await settleCreate({
          result: result as Parameters<typeof settleCreate>[0]['result'],
          start: (parsed.body as { start?: boolean }).start === true,
          fresh: dispatched.has(request),
          orchestrator: deps.orchestrator,
          correlationId,
        });
      if (result && typeof result === 'object' && 'workflowId' in result)
        logger.appendKeys({
          workflowId: String(result.workflowId),
          // A history page names its workflow, not its job.
          ...('jobId' in result ? { jobId: String(result.jobId) } : {}),
        });
      logger.info('request served', { operationId: route.operationId, status: route.status });
      return jsonResponse(route.status, result, { [CORRELATION_HEADER]: correlationId });
    });
};

export const handler = createApiHandler(() => depsFromEnv());
