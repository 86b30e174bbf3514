import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import { CORRELATION_HEADER } from '../shared/logger.js';

/**
 * The caller's `x-correlation-id` when it is a sane token, else API Gateway's request id (a direct
 * invocation without one gets a fresh id): every log line of the request and of the runs it starts
 * carries it, and every response (errors included) hands it back.
 */
export const correlationIdOf = (event: APIGatewayProxyEvent): string => {
  const header = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === CORRELATION_HEADER,
  )?.[1];
  if (header && /^[\x21-\x7e]{1,128}$/.test(header)) return header;
  return event.requestContext?.requestId ?? ulid();
};
