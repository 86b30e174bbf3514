import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type ApiDeps, depsFromEnv } from './deps.js';
import { HttpError, httpErrors, jsonResponse } from './http-errors.js';
import { type IdempotentRequest, idempotencyKeyOf, makeIdempotentRunner } from './idempotency.js';
import { type OperationContext, operations } from './operations.js';
import { parseRequest } from './request.js';
import { matchRoute } from './router.js';
import type { OperationId } from './routes.js';

type AnyOperation = (input: unknown, context: OperationContext) => unknown;

/**
 * The one API Lambda (one function for every route: fewer cold starts). It routes on the route
 * table, validates the request with the route's zod schemas, runs the operation, and leaves every
 * error to the http-errors middleware.
 */
export const createApiHandler = (getDeps: () => ApiDeps) => {
  let deps: ApiDeps | undefined;
  let runIdempotent: ((request: IdempotentRequest, context: Context) => Promise<unknown>) | undefined;

  const dispatch = async (request: IdempotentRequest): Promise<unknown> => {
    // The route table and `operations` share their keys (a type error otherwise).
    const operation = operations[request.operationId as OperationId] as AnyOperation;
    return operation(request, { orchestrator: (deps as ApiDeps).orchestrator });
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpErrors())
    .handler(async (event, context) => {
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
      const request = { operationId: route.operationId, key: key ?? '', ...parsed };
      let result: unknown;
      if (key && deps.idempotencyStore) {
        runIdempotent ??= makeIdempotentRunner(deps.idempotencyStore, dispatch);
        result = await runIdempotent(request, context);
      } else {
        result = await dispatch(request);
      }
      return jsonResponse(route.status, result);
    });
};

export const handler = createApiHandler(() => depsFromEnv());
