import { CORRELATION_HEADER } from '../shared/logger.js';
import type { Route } from './routes.js';

/*
 * Every status the control API can answer besides a route's success status, as the OpenAPI
 * document's reusable responses (components/responses). Some come from the handler (the error
 * mapping of http-errors.ts), some from API Gateway itself (auth, throttling, limits, integration
 * failures), a few from both. All carry the API's error schema, `{error, message, details?}`.
 */

/** Who answers a status: the handler, API Gateway on its own, or either. */
type Source = 'handler' | 'gateway' | 'both';

interface ErrorDoc {
  /** The name under components/responses. */
  readonly name: string;
  readonly source: Source;
  readonly description: string;
  readonly example: { readonly error: string; readonly message: string; readonly details?: unknown };
  /** Headers besides x-correlation-id. */
  readonly headers?: Readonly<Record<string, unknown>>;
}

const GATEWAY_NOTE =
  ' Answered by API Gateway itself, before the handler: the body is the error schema through the ' +
  "stage's gateway responses (`error` is the gateway's response type, no `details`; the API " +
  'hardening work customizes these bodies further) and there is no x-correlation-id.';

const WORKFLOW_ID = '01JD2Q8W4M6Y0B3C5E7G9K1N2P';

export const ERROR_RESPONSES = {
  400: {
    name: 'BadRequest',
    source: 'both',
    description:
      'Invalid input. From the handler: `ValidationError` (or `InvalidCursorError`, ' +
      '`WorkflowDefinitionError`) whose `details` list each problem as `{path, rule, message}`. ' +
      'API Gateway answers a 400 `ValidationError` without details (and without x-correlation-id) ' +
      'for a `POST /workflows` body its request model refuses.',
    example: {
      error: 'ValidationError',
      message: 'body.jobId: Too small: expected string to have >=1 characters',
      details: [
        {
          path: 'body.jobId',
          rule: 'too_small',
          message: 'Too small: expected string to have >=1 characters',
        },
      ],
    },
  },
  401: {
    name: 'Unauthorized',
    source: 'gateway',
    description: `The credentials were refused (response type UNAUTHORIZED).${GATEWAY_NOTE}`,
    example: { error: 'UNAUTHORIZED', message: 'Unauthorized' },
  },
  403: {
    name: 'Forbidden',
    source: 'gateway',
    description:
      'No or a bad SigV4 signature (MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE, ' +
      'EXPIRED_TOKEN), a caller without `execute-api:Invoke` (ACCESS_DENIED), or, with ' +
      '`apiAuth=apiKey`, a missing or unknown API key (INVALID_API_KEY).' +
      GATEWAY_NOTE,
    example: { error: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' },
  },
  404: {
    name: 'NotFound',
    source: 'handler',
    description:
      '`NotFoundError`: no workflow (or job) with this id, or no step of this name in the ' +
      "workflow's definition; `details` names it.",
    example: {
      error: 'NotFoundError',
      message: `Workflow not found: ${WORKFLOW_ID}`,
      details: { entity: 'Workflow', id: WORKFLOW_ID },
    },
  },
  409: {
    name: 'Conflict',
    source: 'handler',
    description:
      '`InvalidTransitionError`: the action is illegal in the current status (`details`: ' +
      '`{action, current, wanted}`); `RecoveryLimitError`: no recovery attempt left (`details`: ' +
      '`{attempts, maxAttempts}`); `IdempotencyInProgress`: a request with this Idempotency-Key ' +
      'is still running; retry after Retry-After seconds.',
    example: {
      error: 'InvalidTransitionError',
      message: 'Cannot start workflow in running state',
      details: { action: 'start', current: 'running', wanted: 'running' },
    },
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before retrying: sent with `IdempotencyInProgress` only',
        required: false,
        schema: { type: 'string', pattern: '^\\d+$' },
      },
    },
  },
  413: {
    name: 'PayloadTooLarge',
    source: 'gateway',
    description: `The request is over API Gateway's 10 MB payload limit (REQUEST_TOO_LARGE).${GATEWAY_NOTE}`,
    example: { error: 'REQUEST_TOO_LARGE', message: 'Request Too Long' },
  },
  415: {
    name: 'UnsupportedMediaType',
    source: 'handler',
    description:
      '`UnsupportedMediaType`: a body was sent without `Content-Type: application/json` ' +
      '(`details.contentType` is what was sent).',
    example: {
      error: 'UnsupportedMediaType',
      message: 'Content-Type must be application/json',
      details: { contentType: 'text/plain' },
    },
  },
  422: {
    name: 'IdempotencyKeyReused',
    source: 'handler',
    description: '`IdempotencyKeyReused`: this Idempotency-Key was used with a different body.',
    example: {
      error: 'IdempotencyKeyReused',
      message: 'Idempotency-Key was already used with a different request body',
    },
  },
  429: {
    name: 'TooManyRequests',
    source: 'gateway',
    description:
      "Over the stage's throttle (50 requests/s, bursts of 100: THROTTLED) or, with " +
      "`apiAuth=apiKey`, over the key's daily quota (QUOTA_EXCEEDED). Retry with backoff." +
      GATEWAY_NOTE,
    example: { error: 'THROTTLED', message: 'Too Many Requests' },
  },
  500: {
    name: 'InternalError',
    source: 'both',
    description:
      '`InternalError`: an unexpected failure, with no detail (the log has it, under the ' +
      "x-correlation-id). API Gateway's own 500s (a configuration error) have no x-correlation-id.",
    example: { error: 'InternalError', message: 'Internal error' },
  },
  502: {
    name: 'BadGateway',
    source: 'gateway',
    description: `The Lambda integration failed or answered malformed (INTEGRATION_FAILURE).${GATEWAY_NOTE}`,
    example: { error: 'INTEGRATION_FAILURE', message: 'Internal server error' },
  },
  503: {
    name: 'ServiceUnavailable',
    source: 'handler',
    description:
      "`ServiceUnavailable`: DynamoDB or Step Functions throttled or failed even after the SDK's " +
      'retries; send the same request again after Retry-After seconds (reads change nothing, every ' +
      'write is conditional). On `POST /workflows` with `start`, `StartUnavailable`: the workflow ' +
      'was created but Step Functions did not take its run; `details.workflow` is the workflow, ' +
      '`failed` and recoverable. Retry the same request with the same Idempotency-Key after ' +
      'Retry-After seconds: the retry starts this workflow (a recovery) and creates no other. ' +
      'Without the key, `POST /workflows/{id}/recover` does the same.',
    example: {
      error: 'ServiceUnavailable',
      message: 'DynamoDB or Step Functions is busy or briefly unavailable; retry after Retry-After seconds',
    },
    headers: {
      'Retry-After': {
        description:
          'Seconds to wait before sending the request again (with the same Idempotency-Key, if any)',
        required: true,
        schema: { type: 'string', pattern: '^\\d+$' },
      },
    },
  },
  504: {
    name: 'GatewayTimeout',
    source: 'gateway',
    description: `The handler did not answer within API Gateway's 29 s (INTEGRATION_TIMEOUT).${GATEWAY_NOTE}`,
    example: { error: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' },
  },
} as const satisfies Record<number, ErrorDoc>;

export type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Every status a route can answer besides its success status, in order. */
export const errorStatusesOf = (route: Route): ErrorStatus[] => {
  const post = route.method === 'POST';
  const statuses: ErrorStatus[] = [
    400,
    401,
    403,
    ...route.errors,
    ...(post ? ([413, 415] as const) : []),
    429,
    500,
    502,
    503,
    504,
  ];
  return [...new Set(statuses)].sort((a, b) => a - b);
};

/** The id every answer of the handler carries: the caller's own when it sent a sane one. */
export const correlationHeader = (required: boolean) => ({
  [CORRELATION_HEADER]: {
    description:
      "The request's correlation id: the caller's `x-correlation-id` when it is 1-128 printable " +
      "ASCII characters, else API Gateway's request id. Every log line of the request and of the " +
      'runs it starts carries it.' +
      (required ? '' : " Set on the handler's answers; absent from API Gateway's own."),
    required,
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
  },
});

/** components/responses: one per status, with the error schema, an example and its headers. */
export const errorResponseComponents = (errorSchemaRef: string) =>
  Object.fromEntries(
    Object.values(ERROR_RESPONSES).map((doc: ErrorDoc) => [
      doc.name,
      {
        description: doc.description,
        headers: {
          ...(doc.source === 'gateway' ? {} : correlationHeader(doc.source === 'handler')),
          ...(doc.headers ?? {}),
        },
        content: { 'application/json': { schema: { $ref: errorSchemaRef }, example: doc.example } },
      },
    ]),
  );
