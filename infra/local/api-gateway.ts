import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CfnTemplate } from '../synth.js';
import {
  type GatewayResponses,
  gatewayResponsesOf,
  type Refusal,
  type RefusedRequest,
  type RenderedResponse,
  refusal,
  renderGatewayResponse,
} from './gateway-responses.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { type LocalServer, listenLocal } from './listen.js';
import { resolveIntrinsics, resourcesOfType } from './template.js';

/** One REST method of the template, proxied to a Lambda. */
export interface LocalRoute {
  readonly method: string;
  /** API Gateway's resource path, e.g. `/workflows/{id}/start`. */
  readonly resourcePath: string;
  readonly functionArn: string;
  /** The gateway responses of the route's REST API: how the gateway answers what it refuses. */
  readonly gatewayResponses: GatewayResponses;
}

type Ref = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

/** Every AWS_PROXY method of the template's REST APIs, with its full resource path. */
export const routesOf = (template: CfnTemplate, region: string): LocalRoute[] => {
  const resources = Object.fromEntries(
    resourcesOfType(template, 'AWS::ApiGateway::Resource').map(({ logicalId, resource }) => [
      logicalId,
      resource,
    ]),
  );
  const pathOf = (ref: Ref | undefined): string => {
    if (!ref?.Ref) return ''; // GetAtt RootResourceId: the root
    const resource = resources[ref.Ref];
    if (!resource) throw new Error(`API resource ${ref.Ref} is not in the template`);
    const props = resource.Properties as { ParentId: Ref; PathPart: string };
    return `${pathOf(props.ParentId)}/${props.PathPart}`;
  };
  const responsesByApi = new Map<string, GatewayResponses>();
  const responsesOf = (api: string) => {
    const known = responsesByApi.get(api) ?? gatewayResponsesOf(template, api);
    responsesByApi.set(api, known);
    return known;
  };
  return resourcesOfType(template, 'AWS::ApiGateway::Method').flatMap(({ resource }) => {
    const props = resource.Properties as {
      HttpMethod: string;
      ResourceId: Ref;
      RestApiId?: Ref;
      Integration?: { Type?: string; Uri?: unknown };
    };
    if (props.Integration?.Type !== 'AWS_PROXY') return [];
    const uri = String(resolveIntrinsics(props.Integration.Uri, template, { region }));
    const functionArn = /functions\/(.+)\/invocations$/.exec(uri)?.[1];
    if (!functionArn) throw new Error(`unsupported integration URI ${uri}`);
    return [
      {
        method: props.HttpMethod,
        resourcePath: pathOf(props.ResourceId) || '/',
        functionArn,
        gatewayResponses: responsesOf(props.RestApiId?.Ref ?? ''),
      },
    ];
  });
};

/** API Gateway's payload limit for REST APIs: a larger body is refused with a 413. */
export const PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** API Gateway's limit on the request line and the header values together. */
export const HEADER_LIMIT_BYTES = 10 * 1024;
/**
 * Past the payload limit the body is still read (and dropped) so the client, still sending, gets
 * the 413 rather than a reset connection; this much more, and the connection is closed instead.
 */
const DRAIN_LIMIT_BYTES = 4 * PAYLOAD_LIMIT_BYTES;

/** The refusals of the local gateway, each as API Gateway names and answers it. */
const REFUSALS = {
  // API Gateway answers an unknown resource or method of a REST API as a missing token.
  noRoute: refusal('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token'),
  badPath: refusal('BAD_REQUEST_PARAMETERS', 'Invalid percent-encoding in the request path'),
  badTarget: refusal('BAD_REQUEST_PARAMETERS', 'Invalid request target'),
  bodyTooLarge: refusal('REQUEST_TOO_LARGE', 'Request Too Long'),
  headersTooLarge: refusal('REQUEST_TOO_LARGE', `Request headers exceed ${HEADER_LIMIT_BYTES} bytes`),
  // A Lambda proxy integration that fails is a 502 on AWS, whatever INTEGRATION_FAILURE's documented default.
  integrationFailure: refusal('INTEGRATION_FAILURE', 'Internal server error', 502),
  integrationTimeout: refusal('INTEGRATION_TIMEOUT', 'Endpoint request timed out'),
  // A bug of the local gateway itself: not the client's doing.
  gatewayFailure: refusal('API_CONFIGURATION_ERROR', 'Internal server error'),
} as const;

/** A malformed HTTP message (Node's parser refused it), as the gateway answers it. */
const parseRefusal = (error: Error & { code?: string }): Refusal => {
  if (error.code === 'HPE_HEADER_OVERFLOW') return REFUSALS.headersTooLarge;
  // A method no REST API has (Node's parser knows only the registered ones): an unsupported method.
  if (error.code === 'HPE_INVALID_METHOD') return REFUSALS.noRoute;
  return refusal(
    'BAD_REQUEST_PARAMETERS',
    `Malformed request: ${error.message.replace(/^Parse Error: /, '')}`,
  );
};

/** Path and query of a request target: origin form, or absolute form (whose authority is ignored). */
const targetOf = (url: string): { path: string; query: string } | undefined => {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
  let target = authority ? url.slice(authority[0].length) : url;
  if (authority && !target.startsWith('/')) target = `/${target}`;
  if (!target.startsWith('/')) return undefined; // `*`, or no target at all
  target = target.split('#')[0] ?? '';
  const question = target.indexOf('?');
  return question < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, question), query: target.slice(question + 1) };
};

/** The decoded segments of a path (one trailing slash ignored); undefined when one is malformed. */
const segmentsOf = (path: string): string[] | undefined => {
  const inner = path.slice(1).replace(/\/$/, '');
  if (inner === '') return [];
  try {
    return inner.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined; // decodeURIComponent: a bad escape or bytes that are not UTF-8
  }
};

/**
 * Parameters of a path on a route, or undefined. A `{param}` takes one non-empty segment, a
 * `{param+}` the rest of the path; literal segments must be equal.
 */
const match = (route: LocalRoute, segments: readonly string[]): Record<string, string> | undefined => {
  const want = route.resourcePath.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = segments[i];
    if (value === undefined) return undefined;
    if (segment.startsWith('{') && segment.endsWith('+}')) {
      const rest = segments.slice(i);
      if (rest.some((s) => s === '')) return undefined;
      params[segment.slice(1, -2)] = rest.join('/');
      return params;
    }
    if (segment.startsWith('{')) {
      if (value === '') return undefined;
      params[segment.slice(1, -1)] = value;
    } else if (segment !== value) return undefined;
  }
  return want.length === segments.length ? params : undefined;
};
/** Literal segments win over `{param}` ones, as in API Gateway. */
const specificity = (route: LocalRoute) =>
  route.resourcePath.split('/').filter((s) => s && !s.startsWith('{')).length;

type Body = { kind: 'read'; text: string | null } | { kind: 'tooLarge'; drained: boolean } | { kind: 'lost' };

/**
 * Reads the body up to the payload limit. Past it, the rest is read and dropped (up to
 * DRAIN_LIMIT_BYTES), so the refusal reaches a client that is still sending.
 */
const readBody = (request: IncomingMessage): Promise<Body> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(request.headers['content-length']);
    let tooLarge = declared > PAYLOAD_LIMIT_BYTES;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > PAYLOAD_LIMIT_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else chunks.length = 0;
      if (size > DRAIN_LIMIT_BYTES) {
        request.pause();
        resolve({ kind: 'tooLarge', drained: false });
      }
    });
    request.on('end', () =>
      resolve(
        tooLarge
          ? { kind: 'tooLarge', drained: true }
          : { kind: 'read', text: size > 0 ? Buffer.concat(chunks).toString('utf8') : null },
      ),
    );
    request.on('close', () => {
      if (!request.complete) resolve({ kind: 'lost' });
    });
    request.on('error', () => resolve({ kind: 'lost' }));
  });

/** Reads and drops what is left of a body (so a refusal reaches a client still sending it). */
const drain = async (request: IncomingMessage): Promise<boolean> => {
  if (request.complete || request.readableEnded) return true;
  const body = await readBody(request);
  return body.kind !== 'lost' && !(body.kind === 'tooLarge' && !body.drained);
};

/** Request line plus header values, as API Gateway counts them against its header limit. */
const headerBytes = (request: IncomingMessage): number => {
  let total = `${request.method} ${request.url} HTTP/${request.httpVersion}`.length;
  for (let i = 1; i < request.rawHeaders.length; i += 2) total += request.rawHeaders[i]?.length ?? 0;
  return total;
};

const queryOf = (request: IncomingMessage) => targetOf(request.url ?? '/')?.query ?? '';

/** The API Gateway REST proxy (v1) event for a request, as the Lambda receives it on AWS. */
const proxyEvent = (
  request: IncomingMessage,
  info: RefusedRequest,
  route: LocalRoute,
  params: Record<string, string>,
  body: string | null,
) => {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const hasQuery = Object.keys(info.query).length > 0;
  const multiQuery: Record<string, string[]> = {};
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

/** What the gateway knows of a request before it routes it (the `$context` of its refusals). */
const requestInfo = (request: IncomingMessage, stage: string): RefusedRequest => {
  const target = targetOf(request.url ?? '/');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(target?.query ?? '')) query[key] = value;
  return {
    requestId: randomUUID(),
    httpMethod: request.method ?? '',
    path: target?.path ?? '',
    resourcePath: '',
    stage,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    userAgent: headers['user-agent'] ?? '',
    domainName: headers.host ?? '',
    requestTimeEpoch: Date.now(),
    headers,
    query,
    pathParameters: {},
  };
};

/** Headers of a proxy result the gateway sets itself, from the body it sends. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/** The proxy result of a Lambda, checked as API Gateway checks it; undefined when malformed. */
const proxyResultOf = (
  result: unknown,
): { statusCode: number; headers: [string, string | string[]][]; body: Buffer } | undefined => {
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

/** A rendered answer written straight to a socket Node's HTTP server has given up on. */
const writeRaw = (socket: Duplex, answer: RenderedResponse): void => {
  const body = Buffer.from(answer.body, 'utf8');
  const head = [
    `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ''}`,
    ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length}`,
    'connection: close',
  ].join('\r\n');
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]));
};

export type LocalApiGateway = LocalServer;

/**
 * Serves the template's REST routes over HTTP, each request becoming the proxy event of its Lambda,
 * run in-process. What API Gateway refuses itself (an unknown route or method, a malformed path or
 * request, a body over 10 MB, headers over its limit) and a failing integration are answered with
 * the API's gateway responses from the template, never with a 5xx for the client's input
 * (docs/local-stack.md, "API Gateway"). Local only: no SigV4 or API-key check (there is no AWS
 * account to sign with).
 */
export const startApiGateway = async (options: {
  routes: readonly LocalRoute[];
  lambda: LocalLambdaRuntime;
  port?: number;
  host?: string;
  stage?: string;
  /** Local-only admin routes (`POST <path>` → the function's result as JSON), e.g. /_local/reconcile. */
  local?: Record<string, () => Promise<unknown>>;
  /** How refusals that match no route are answered. @default the gateway responses of the first route's API */
  gatewayResponses?: GatewayResponses;
}): Promise<LocalApiGateway> => {
  const routes = [...options.routes].sort((a, b) => specificity(b) - specificity(a));
  const stage = options.stage ?? 'local';
  const apiResponses = options.gatewayResponses ?? routes[0]?.gatewayResponses ?? new Map();
  /** Requests being answered, by socket: a parse error in a body is answered through its response. */
  const inFlight = new Map<Duplex, { request: IncomingMessage; response: ServerResponse }>();

  const send = (response: ServerResponse, answer: RenderedResponse, close = false): void => {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(answer.statusCode, { ...answer.headers, ...(close ? { connection: 'close' } : {}) });
    response.end(answer.body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const info = requestInfo(request, stage);
    let responses = apiResponses;
    const refuse = async (why: Refusal, resourcePath = '') => {
      // Read what is left of the body first: a client still sending would see a reset, not the answer.
      const drained = await drain(request);
      send(response, renderGatewayResponse(responses, why, { ...info, resourcePath }), !drained);
    };

    const target = targetOf(request.url ?? '/');
    if (!target) return refuse(REFUSALS.badTarget);
    if (headerBytes(request) > HEADER_LIMIT_BYTES) return refuse(REFUSALS.headersTooLarge);
    const admin = options.local?.[target.path];
    if (admin && request.method === 'POST') {
      await drain(request);
      const result = await admin();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
      return;
    }
    const segments = segmentsOf(target.path);
    if (!segments) return refuse(REFUSALS.badPath);
    const hit = routes
      .filter((route) => route.method === request.method)
      .map((route) => ({ route, params: match(route, segments) }))
      .find((candidate) => candidate.params !== undefined);
    if (!hit?.params) return refuse(REFUSALS.noRoute);
    const { route, params } = hit;
    responses = route.gatewayResponses;

    const body = await readBody(request);
    if (body.kind === 'lost') return; // the client went away, or the parser refused the body (answered there)
    if (body.kind === 'tooLarge')
      return send(
        response,
        renderGatewayResponse(responses, REFUSALS.bodyTooLarge, {
          ...info,
          resourcePath: route.resourcePath,
        }),
        !body.drained,
      );

    let result: ReturnType<typeof proxyResultOf>;
    let failed: Refusal | undefined;
    try {
      result = proxyResultOf(
        await options.lambda.invoke(
          route.functionArn,
          proxyEvent(request, { ...info, resourcePath: route.resourcePath }, route, params, body.text),
        ),
      );
      // AWS: "Malformed Lambda proxy response", a 502.
      if (!result) failed = REFUSALS.integrationFailure;
    } catch (error) {
      failed =
        (error as Error).name === 'Sandbox.Timedout'
          ? REFUSALS.integrationTimeout
          : REFUSALS.integrationFailure;
      // Like API Gateway: no detail of the function's error reaches the client.
      console.error('local API gateway: integration failed:', (error as Error).message);
    }
    if (failed || !result)
      return send(
        response,
        renderGatewayResponse(responses, failed ?? REFUSALS.integrationFailure, {
          ...info,
          resourcePath: route.resourcePath,
        }),
      );
    if (response.headersSent || response.destroyed) return;
    try {
      for (const [name, value] of result.headers) response.setHeader(name, value);
    } catch {
      // A header Node refuses to send (bad name or characters): a malformed proxy response.
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      return send(
        response,
        renderGatewayResponse(responses, REFUSALS.integrationFailure, {
          ...info,
          resourcePath: route.resourcePath,
        }),
      );
    }
    response.writeHead(result.statusCode);
    response.end(result.body);
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.set(socket, { request, response });
    response.on('close', () => {
      if (inFlight.get(socket)?.response === response) inFlight.delete(socket);
    });
    handle(request, response).catch((error: unknown) => {
      console.error('local API gateway: failed:', error);
      send(
        response,
        renderGatewayResponse(apiResponses, REFUSALS.gatewayFailure, requestInfo(request, stage)),
      );
    });
  };

  const server = createServer(
    // A request without Host is served (HTTP/1.0 clients send none) rather than refused with no body.
    { requireHostHeader: false },
    onRequest,
  );
  // Any Expect header: served as a plain request (Node's default is a 417 with no body).
  server.on('checkExpectation', onRequest);
  // CONNECT is no method of a REST API (Node would close the connection without an answer).
  server.on('connect', (request: IncomingMessage, socket: Duplex) =>
    writeRaw(socket, renderGatewayResponse(apiResponses, REFUSALS.noRoute, requestInfo(request, stage))),
  );
  // What Node's parser refuses: answered in the API's error shape (Node's default has no body).
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || error.code?.startsWith('ERR_HTTP_')) {
      // A connection reset, or a client that stopped sending (header or request timeout).
      socket.destroy();
      return;
    }
    const answer = renderGatewayResponse(apiResponses, parseRefusal(error), {
      requestId: randomUUID(),
      httpMethod: '',
      path: '',
      resourcePath: '',
      stage,
      sourceIp: '',
      userAgent: '',
      domainName: '',
      requestTimeEpoch: Date.now(),
      headers: {},
      query: {},
      pathParameters: {},
    });
    const pending = inFlight.get(socket);
    // What the client still sends is read and dropped: unread data would make the close a reset.
    socket.resume();
    if (!pending) return writeRaw(socket, answer);
    // The error is in the body of the request being answered: the answer goes through its response.
    if (!pending.request.complete) {
      if (pending.response.headersSent) socket.destroy();
      else send(pending.response, answer, true);
      return;
    }
    // The next request on a kept-alive connection: after the one being answered.
    pending.response.once('close', () => (socket.writable ? writeRaw(socket, answer) : socket.destroy()));
  });
  return listenLocal(server, options.port, options.host);
};
