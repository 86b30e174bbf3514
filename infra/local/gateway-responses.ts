import {
  DEFAULT_4XX,
  DEFAULT_5XX,
  GATEWAY_RESPONSE_STATUS,
  type GatewayResponseType,
} from '../gateway-responses.js';
import type { CfnTemplate } from '../synth.js';
import { resourcesOfType } from './template.js';

/*
 * API Gateway's own answers, as the template's AWS::ApiGateway::GatewayResponse resources
 * customize them: the local gateway reads each one's status, response template and headers from
 * there and renders them with the `$context` variables it knows, so a refusal looks the same locally
 * and on AWS (docs/local-stack.md, "API Gateway").
 */

/** One GatewayResponse resource of the template. */
export interface GatewayResponse {
  readonly type: string;
  readonly statusCode?: number;
  /** Content type → template. */
  readonly templates: Readonly<Record<string, string>>;
  /** `gatewayresponse.header.<name>` → its mapping expression (`'literal'`, `method.request.header.x`...). */
  readonly parameters: Readonly<Record<string, string>>;
}

/** The gateway responses of one REST API, by response type. */
export type GatewayResponses = ReadonlyMap<string, GatewayResponse>;

/** Why the gateway refuses a request itself. */
export interface Refusal {
  readonly type: GatewayResponseType;
  /** `$context.error.message`: API Gateway's text for it. */
  readonly message: string;
  /** What API Gateway answers when the template gives this type no status (usually the type's default). */
  readonly status: number;
}

export const refusal = (
  type: GatewayResponseType,
  message: string,
  status: number = GATEWAY_RESPONSE_STATUS[type],
): Refusal => ({ type, message, status });

/** What the gateway knows of the request it refuses. */
export interface RefusedRequest {
  readonly requestId: string;
  readonly httpMethod: string;
  /** The path as sent. */
  readonly path: string;
  /** The matched route's resource path; empty when none matched. */
  readonly resourcePath: string;
  readonly stage: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly domainName: string;
  readonly requestTimeEpoch: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
}

export interface RenderedResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The `$context` variables a gateway response may use here, with their values for one refusal. */
const contextVariables = (why: Refusal, request: RefusedRequest): Record<string, string> => ({
  'context.error.message': why.message,
  'context.error.messageString': JSON.stringify(why.message),
  'context.error.responseType': why.type,
  'context.requestId': request.requestId,
  'context.extendedRequestId': request.requestId,
  'context.httpMethod': request.httpMethod,
  'context.path': `/${request.stage}${request.path}`,
  'context.resourcePath': request.resourcePath,
  'context.stage': request.stage,
  'context.identity.sourceIp': request.sourceIp,
  'context.identity.userAgent': request.userAgent,
  'context.domainName': request.domainName,
  'context.requestTimeEpoch': String(request.requestTimeEpoch),
});

const KNOWN_VARIABLES = new Set(
  Object.keys(
    contextVariables(refusal('BAD_REQUEST_PARAMETERS', ''), {
      requestId: '',
      httpMethod: '',
      path: '',
      resourcePath: '',
      stage: '',
      sourceIp: '',
      userAgent: '',
      domainName: '',
      requestTimeEpoch: 0,
      headers: {},
      query: {},
      pathParameters: {},
    }),
  ),
);

/** `$context.a.b` or `${context.a.b}`. */
const VARIABLE = /\$(?:\{(context(?:\.\w+)+)\}|(context(?:\.\w+)+))/g;
/** Whatever else VTL could do: references other than $context, and directives. */
const OTHER_VTL =
  /\$!?\{?[A-Za-z]|#(?:if|elseif|else|end|set|foreach|macro|parse|include|define|stop|break)\b/;
const HEADER_PARAMETER = /^gatewayresponse\.header\.([!#$%&'*+.^`|~\w-]+)$/;
const REQUEST_VALUE = /^method\.request\.(header|querystring|path)\.(.+)$/;

/** Fails at start, naming the resource, rather than answering a request half-rendered. */
const checkTemplate = (logicalId: string, template: string): void => {
  for (const match of template.matchAll(VARIABLE)) {
    const name = match[1] ?? match[2] ?? '';
    if (!KNOWN_VARIABLES.has(name))
      throw new Error(
        `gateway response ${logicalId}: $${name} is not known to the local gateway (it knows ${[...KNOWN_VARIABLES].join(', ')})`,
      );
  }
  const other = OTHER_VTL.exec(template.replace(VARIABLE, ''));
  if (other)
    throw new Error(
      `gateway response ${logicalId}: the local gateway does not run VTL such as "${other[0]}"`,
    );
};

const checkParameter = (logicalId: string, key: string, value: string): void => {
  if (!HEADER_PARAMETER.test(key))
    throw new Error(`gateway response ${logicalId}: unsupported response parameter ${key}`);
  const known =
    /^'.*'$/s.test(value) || REQUEST_VALUE.test(value) || KNOWN_VARIABLES.has(value.replace(/^\$/, ''));
  if (!known) throw new Error(`gateway response ${logicalId}: unsupported mapping ${value} for ${key}`);
};

/** The GatewayResponse resources of the REST API with this logical id, by type, checked. */
export const gatewayResponsesOf = (template: CfnTemplate, restApiLogicalId: string): GatewayResponses => {
  const responses = new Map<string, GatewayResponse>();
  for (const { logicalId, resource } of resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse')) {
    const props = (resource.Properties ?? {}) as {
      ResponseType: string;
      RestApiId?: { Ref?: string };
      StatusCode?: string | number;
      ResponseTemplates?: Record<string, string>;
      ResponseParameters?: Record<string, string>;
    };
    if (props.RestApiId?.Ref !== restApiLogicalId) continue;
    const templates = props.ResponseTemplates ?? {};
    for (const text of Object.values(templates)) checkTemplate(logicalId, text);
    const parameters = props.ResponseParameters ?? {};
    for (const [key, value] of Object.entries(parameters)) checkParameter(logicalId, key, value);
    const statusCode = props.StatusCode === undefined ? undefined : Number(props.StatusCode);
    if (statusCode !== undefined && !(Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599))
      throw new Error(
        `gateway response ${logicalId}: status ${String(props.StatusCode)} is not an HTTP status`,
      );
    responses.set(props.ResponseType, {
      type: props.ResponseType,
      ...(statusCode !== undefined ? { statusCode } : {}),
      templates,
      parameters,
    });
  }
  return responses;
};

/** API Gateway's body where no gateway response (not even a default one) is customized. */
const AWS_DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * The answer API Gateway gives for a refusal: the response of its type if the API customizes it,
 * else DEFAULT_4XX or DEFAULT_5XX, else API Gateway's own `{"message": ...}`. The status is the
 * type's own customized one, else the default response's, else the refusal's.
 */
export const renderGatewayResponse = (
  responses: GatewayResponses,
  why: Refusal,
  request: RefusedRequest,
): RenderedResponse => {
  const own = responses.get(why.type);
  const fallback = responses.get(why.status >= 500 ? DEFAULT_5XX : DEFAULT_4XX);
  const statusCode = own?.statusCode ?? fallback?.statusCode ?? why.status;
  const variables = contextVariables(why, request);
  const substitute = (text: string) =>
    text.replace(VARIABLE, (_, braced?: string, bare?: string) => variables[braced ?? bare ?? ''] ?? '');
  const templates = own?.templates ?? fallback?.templates ?? {};
  const contentType = 'application/json' in templates ? 'application/json' : Object.keys(templates)[0];
  const template = contentType ? (templates[contentType] ?? '') : AWS_DEFAULT_TEMPLATE;
  const headers: Record<string, string> = { 'content-type': contentType ?? 'application/json' };
  for (const [key, expression] of Object.entries((own ?? fallback)?.parameters ?? {})) {
    const name = HEADER_PARAMETER.exec(key)?.[1]?.toLowerCase();
    const value = headerValue(expression, request, variables);
    if (name && value !== undefined) headers[name] = value;
  }
  return { statusCode, headers, body: substitute(template) };
};

const headerValue = (
  expression: string,
  request: RefusedRequest,
  variables: Record<string, string>,
): string | undefined => {
  if (/^'.*'$/s.test(expression)) return expression.slice(1, -1);
  const fromRequest = REQUEST_VALUE.exec(expression);
  if (fromRequest) {
    const [, where, name = ''] = fromRequest;
    if (where === 'header') return request.headers[name.toLowerCase()];
    if (where === 'querystring') return request.query[name];
    return request.pathParameters[name];
  }
  return variables[expression.replace(/^\$/, '')];
};
