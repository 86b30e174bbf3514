import type { IncomingMessage } from 'node:http';
import type { LocalRoute } from './api-routes.js';
import { nameMap, queryOf } from './gateway-request.js';
import type { RefusedRequest } from './gateway-responses.js';

/*
 * The Lambda proxy integration's two halves: the REST (v1) proxy event a request becomes, and the
 * proxy result a handler answers, checked as API Gateway checks it.
 */

/** The API Gateway REST proxy (v1) event for a request, as the Lambda receives it on AWS. */
export const proxyEvent = (
  request: IncomingMessage,
  info: RefusedRequest,
  route: LocalRoute,
  params: Record<string, string>,
  body: string | null,
) => {
  // Names come from the client (`?toString=`, a `__proto__` header): maps without a prototype, so
  // each is a plain key, never an inherited member.
  const headers = nameMap<string>();
  const multiValueHeaders = nameMap<string[]>();
  for (const [name, value] of Object.entries(request.headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const hasQuery = Object.keys(info.query).length > 0;
  const multiQuery = nameMap<string[]>();
  for (const [key, value] of new URLSearchParams(queryOf(request))) {
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  return {
    resource: route.resourcePath,
    path: info.path,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? { ...info.query } : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(params).length > 0 ? params : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      resourcePath: route.resourcePath,
      httpMethod: route.method,
      path: `/${info.stage}${info.path}`,
      stage: info.stage,
      requestId: info.requestId,
      requestTimeEpoch: info.requestTimeEpoch,
      identity: { sourceIp: info.sourceIp, userAgent: headers['user-agent'] ?? null },
    },
  };
};

/** Headers of a proxy result the gateway sets itself, from the body it sends. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/** A handler's proxy result, ready to send. */
export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: [string, string | string[]][];
  readonly body: Buffer;
}

/** The proxy result of a Lambda, checked as API Gateway checks it; undefined when malformed. */
export const proxyResultOf = (result: unknown): ProxyResult | undefined => {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result as Record<string, unknown>;
  const status = statusCode === undefined ? 200 : Number(statusCode);
  if (!Number.isInteger(status) || status < 200 || status > 599) return undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const scalar = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);
  const merged = new Map<string, string | string[]>();
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') return undefined;
    for (const [name, value] of Object.entries(headers)) {
      if (!scalar(value)) return undefined;
      if (!FRAMING_HEADERS.has(name.toLowerCase())) merged.set(name.toLowerCase(), String(value));
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (typeof multiValueHeaders !== 'object') return undefined;
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(scalar)) return undefined;
      if (!FRAMING_HEADERS.has(name.toLowerCase())) merged.set(name.toLowerCase(), values.map(String));
    }
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode: status,
    headers: [...merged],
    body: Buffer.from(text, isBase64Encoded === true ? 'base64' : 'utf8'),
  };
};
