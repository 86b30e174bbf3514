import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CfnTemplate } from '../synth.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { type LocalServer, listenLocal } from './listen.js';
import { resolveIntrinsics, resourcesOfType } from './template.js';

/** One REST method of the template, proxied to a Lambda. */
export interface LocalRoute {
  readonly method: string;
  /** API Gateway's resource path, e.g. `/workflows/{id}/start`. */
  readonly resourcePath: string;
  readonly functionArn: string;
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
  return resourcesOfType(template, 'AWS::ApiGateway::Method').flatMap(({ resource }) => {
    const props = resource.Properties as {
      HttpMethod: string;
      ResourceId: Ref;
      Integration?: { Type?: string; Uri?: unknown };
    };
    if (props.Integration?.Type !== 'AWS_PROXY') return [];
    const uri = String(resolveIntrinsics(props.Integration.Uri, template, { region }));
    const functionArn = /functions\/(.+)\/invocations$/.exec(uri)?.[1];
    if (!functionArn) throw new Error(`unsupported integration URI ${uri}`);
    return [{ method: props.HttpMethod, resourcePath: pathOf(props.ResourceId) || '/', functionArn }];
  });
};

/** Literal segments win over `{param}` ones, as in API Gateway. */
const match = (route: LocalRoute, path: string): Record<string, string> | undefined => {
  const want = route.resourcePath.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] as string;
    if (segment.startsWith('{')) params[segment.slice(1, -1)] = decodeURIComponent(value);
    else if (segment !== value) return undefined;
  }
  return params;
};
const specificity = (route: LocalRoute) =>
  route.resourcePath.split('/').filter((s) => s && !s.startsWith('{')).length;

const readBody = async (request: IncomingMessage): Promise<string | null> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null;
};

const sendJson = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

/** The API Gateway REST proxy (v1) event for a request, as the Lambda receives it on AWS. */
const proxyEvent = async (
  request: IncomingMessage,
  url: URL,
  route: LocalRoute,
  params: Record<string, string>,
  stage: string,
) => {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.resourcePath,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(params).length > 0 ? params : null,
    stageVariables: null,
    body: await readBody(request),
    isBase64Encoded: false,
    requestContext: {
      resourcePath: route.resourcePath,
      httpMethod: route.method,
      path: `/${stage}${url.pathname}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? null,
      },
    },
  };
};

export type LocalApiGateway = LocalServer;

/**
 * Serves the template's REST routes over HTTP, each request becoming the proxy event of its Lambda,
 * run in-process. Local only: no SigV4 or API-key check (there is no AWS account to sign with).
 */
export const startApiGateway = async (options: {
  routes: readonly LocalRoute[];
  lambda: LocalLambdaRuntime;
  port?: number;
  host?: string;
  stage?: string;
  /** Local-only admin routes (`POST <path>` → the function's result as JSON), e.g. /_local/reconcile. */
  local?: Record<string, () => Promise<unknown>>;
}): Promise<LocalApiGateway> => {
  const routes = [...options.routes].sort((a, b) => specificity(b) - specificity(a));
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const admin = options.local?.[url.pathname];
      if (admin && request.method === 'POST') return sendJson(response, 200, await admin());
      const candidates = routes.flatMap((route) => {
        const params = match(route, url.pathname);
        return params ? [{ route, params }] : [];
      });
      if (candidates.length === 0)
        return sendJson(response, 404, { error: 'NotFound', message: `No route for ${url.pathname}` });
      const hit = candidates.find((c) => c.route.method === request.method);
      if (!hit) {
        const allowed = candidates.map((c) => c.route.method).join(', ');
        return sendJson(response, 405, {
          error: 'MethodNotAllowed',
          message: `${request.method} is not allowed here; use ${allowed}`,
        });
      }
      const event = await proxyEvent(request, url, hit.route, hit.params, options.stage ?? 'local');
      const result = (await options.lambda.invoke(hit.route.functionArn, event)) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
      } | null;
      response.writeHead(result?.statusCode ?? 200, result?.headers ?? {});
      response.end(result?.body ?? '');
    } catch (error) {
      // Like API Gateway: a failing integration is a 502 with no detail of the function's error.
      console.error('local API gateway: integration failed:', (error as Error).message);
      sendJson(response, 502, { error: 'BadGateway', message: 'Internal server error' });
    }
  });
  return listenLocal(server, options.port, options.host);
};
