import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { byPrecedence, findRoute, type LocalRoute } from './api-routes.js';
import {
  drain,
  HEADER_LIMIT_BYTES,
  headerBytes,
  readBody,
  requestInfo,
  segmentsOf,
  targetOf,
  unparsedRequestInfo,
} from './gateway-request.js';
import {
  type GatewayResponses,
  type Refusal,
  type RenderedResponse,
  refusal,
  renderGatewayResponse,
} from './gateway-responses.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { type LocalServer, listenLocal } from './listen.js';
import { proxyEvent, proxyResultOf } from './proxy-event.js';

// The server. Routing from the template is api-routes.ts, reading the raw request gateway-request.ts,
// the Lambda proxy event and result proxy-event.ts.
export { type LocalRoute, routesOf } from './api-routes.js';
export { HEADER_LIMIT_BYTES, PAYLOAD_LIMIT_BYTES } from './gateway-request.js';

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
  /** Pages served beside the API (the web console): answers true for a request it served. */
  pages?: (request: IncomingMessage, response: ServerResponse) => boolean;
}): Promise<LocalApiGateway> => {
  const routes = byPrecedence(options.routes);
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
    if (options.pages?.(request, response)) return;
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
    const hit = findRoute(routes, request.method, segments);
    if (!hit) return refuse(REFUSALS.noRoute);
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
    const answer = renderGatewayResponse(apiResponses, parseRefusal(error), unparsedRequestInfo(stage));
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
