import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CORRELATION_HEADER, logger } from '../shared/logger.js';
import { correlationIdOf } from './correlation.js';

/** An error the API itself raises about a request (route, method, media type, body syntax). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
}

type Described = { statusCode: number; body: ErrorBody; headers?: Record<string, string> };

/** Fields of a domain error that say more than its message, and are safe to show. */
const detailsOf = (error: Error & Record<string, unknown>): unknown => {
  switch (error.name) {
    case 'ValidationError':
    case 'InvalidCursorError':
    case 'WorkflowDefinitionError':
      return error.issues;
    case 'InvalidTransitionError':
      return { action: error.action, current: error.current, wanted: error.wanted };
    case 'RecoveryLimitError':
      return { attempts: error.attempts, maxAttempts: error.maxAttempts };
    case 'NotFoundError':
      return { entity: error.entity, id: error.id };
    default:
      return undefined;
  }
};

/**
 * THE mapping from error classes to HTTP answers, by `name` (so it holds across bundles and module
 * copies). Domain messages are written for clients; anything not listed here is internal and is
 * answered with a generic 500 whose detail only goes to the log.
 */
const STATUS_BY_NAME: Readonly<Record<string, number>> = {
  ValidationError: 400,
  InvalidCursorError: 400,
  WorkflowDefinitionError: 400,
  NotFoundError: 404,
  InvalidTransitionError: 409,
  RecoveryLimitError: 409,
};

/** Idempotency-Key errors a client can cause (functions/api/idempotency.ts), with messages that do not echo internals. */
const IDEMPOTENCY: Readonly<Record<string, Described>> = {
  IdempotencyValidationError: {
    statusCode: 422,
    body: {
      error: 'IdempotencyKeyReused',
      message: 'Idempotency-Key was already used with a different request body',
    },
  },
  IdempotencyAlreadyInProgressError: {
    statusCode: 409,
    body: {
      error: 'IdempotencyInProgress',
      message: 'A request with this Idempotency-Key is still in progress; retry later',
    },
    headers: { 'Retry-After': '1' },
  },
};

/**
 * AWS's "busy or briefly failing" errors (throttling, internal errors, unavailability) that outlived
 * the SDK's retries (functions/shared/sdk-retry.ts): a 503 with Retry-After, so a client sends the
 * request again, which every route allows (reads change nothing, writes are conditional), rather
 * than reading a 500 as a bug.
 */
const TRANSIENT_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const TRANSIENT_RETRY_AFTER_SECONDS = 1;

const transientAnswer: Described = {
  statusCode: 503,
  body: {
    error: 'ServiceUnavailable',
    message: 'DynamoDB or Step Functions is busy or briefly unavailable; retry after Retry-After seconds',
  },
  headers: { 'Retry-After': String(TRANSIENT_RETRY_AFTER_SECONDS) },
};

export const describeError = (thrown: unknown): Described => {
  const error = (thrown instanceof Error ? thrown : new Error(String(thrown))) as Error &
    Record<string, unknown>;
  if (error instanceof HttpError) {
    const body = {
      error: error.error,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    };
    return { statusCode: error.statusCode, body, headers: { ...error.headers } };
  }
  const known = IDEMPOTENCY[error.name];
  if (known) return known;
  const statusCode = STATUS_BY_NAME[error.name];
  if (statusCode) {
    const details = detailsOf(error);
    return {
      statusCode,
      body: { error: error.name, message: error.message, ...(details ? { details } : {}) },
    };
  }
  // An AWS SDK error (it has $metadata) of a kind that passes: the request may be sent again.
  if (TRANSIENT_AWS_ERRORS.has(error.name) && typeof error.$metadata === 'object') {
    logger.warn('AWS busy or unavailable after retries: answered 503', { error });
    return transientAnswer;
  }
  logger.error('unhandled error', { error });
  return { statusCode: 500, body: { error: 'InternalError', message: 'Internal error' } };
};

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Middy middleware: every error of the handler becomes an `{error, message, details}` response. */
export const httpErrors = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: (request) => {
    const { statusCode, body, headers } = describeError(request.error);
    request.response = jsonResponse(statusCode, body, {
      ...headers,
      [CORRELATION_HEADER]: correlationIdOf(request.event),
    });
  },
});
