import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/*
 * CORS for the web console served from another origin than the API (README, "Web console"): the
 * handler's answers, errors included, name the caller's origin when it is one of the allowed
 * origins (CONSOLE_ORIGINS, from CDK context `consoleOrigins`), and expose the headers the console
 * reads. API Gateway answers the preflight OPTIONS itself (infra/api.ts). No origin allowed: no
 * CORS header at all.
 */

/** What the console reads from an answer besides the body. */
export const EXPOSED_HEADERS = ['ETag', 'x-correlation-id', 'Retry-After'];

const originOf = (event: APIGatewayProxyEvent): string | undefined => {
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === 'origin') return value;
  return undefined;
};

export const cors = (
  allowed: () => readonly string[],
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => {
  const addHeaders = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    const origin = originOf(request.event);
    const response = request.response;
    if (!response) return;
    // Vary: a cache must not hand one origin's answer to another.
    const headers: Record<string, string | number | boolean> = { ...response.headers, Vary: 'Origin' };
    if (origin && allowed().includes(origin)) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Expose-Headers'] = EXPOSED_HEADERS.join(', ');
    }
    request.response = { ...response, headers };
  };
  return { after: addHeaders, onError: addHeaders };
};
