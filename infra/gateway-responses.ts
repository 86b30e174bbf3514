/*
 * API Gateway's own answers (its "gateway responses"): the ones the CDK app customizes
 * (infra/api.ts) and the local gateway renders back from the synthesized template
 * (infra/local/gateway-responses.ts). No CDK import here, so that the local stack can load it with a
 * cached template without loading aws-cdk-lib (as infra/template-keys.ts).
 */

/**
 * Every response type with a status of its own, and that status: API Gateway's documented
 * defaults. DEFAULT_4XX and DEFAULT_5XX have none: a type that is not customized keeps its own.
 */
export const GATEWAY_RESPONSE_STATUS = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_BODY: 400,
  BAD_REQUEST_PARAMETERS: 400,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_STATUS;
export const DEFAULT_4XX = 'DEFAULT_4XX';
export const DEFAULT_5XX = 'DEFAULT_5XX';

/**
 * The body of a gateway response in the API's error schema (`{error, message}`, see
 * docs/openapi.json): `error` is the response type unless given, `message` API Gateway's own.
 */
export const gatewayErrorTemplate = (error = '$context.error.responseType'): string =>
  `{"error":"${error}","message":$context.error.messageString}`;

export interface GatewayResponseSpec {
  readonly type: GatewayResponseType | typeof DEFAULT_4XX | typeof DEFAULT_5XX;
  /** Written into the template even where it is API Gateway's default: the local gateway reads it. */
  readonly statusCode?: number;
  readonly template: string;
}

/**
 * What the API customizes: every response type a client can cause (the 4xx ones) with its status
 * spelled out, and the two defaults for everything else. The 5xx types are left to DEFAULT_5XX so
 * they keep the status API Gateway picks (a failed Lambda proxy integration is a 502, although
 * INTEGRATION_FAILURE's documented default is 504). A body its request model refuses answers like
 * the handler's own validation errors (`ValidationError`, docs/openapi.json).
 */
export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  { type: DEFAULT_4XX, template: gatewayErrorTemplate() },
  { type: DEFAULT_5XX, template: gatewayErrorTemplate() },
  ...(Object.entries(GATEWAY_RESPONSE_STATUS) as [GatewayResponseType, number][])
    .filter(([, status]) => status < 500)
    .map(([type, statusCode]) => ({
      type,
      statusCode,
      template: gatewayErrorTemplate(type === 'BAD_REQUEST_BODY' ? 'ValidationError' : undefined),
    })),
];
