import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from '../generated/control-api.js';
import { Sha256 } from './sha256.js';

/*
 * The typed client of the control API: openapi-fetch over the types openapi-typescript generates
 * from docs/openapi.json (generated/control-api.ts), so every path, parameter, body and answer the CLI
 * (or a job service) uses is checked against the document the API is built from.
 */

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Workflow = Schemas['Workflow'];
export type Recovery = Schemas['Recovery'];
export type Task = Schemas['Task'];
export type Progress = Schemas['Progress'];
export type Definition = Schemas['Definition'];
export type ErrorBody = Schemas['Error'];
export type ControlApi = Client<paths>;

/** How the client authenticates: none (local stack), an API key (apiKey mode), or SigV4 (IAM mode). */
export type ApiAuth = { kind: 'none' } | { kind: 'apiKey'; key: string } | { kind: 'iam'; region?: string };

export interface ApiClientOptions {
  readonly url: string;
  /** @default { kind: 'none' } */
  readonly auth?: ApiAuth;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/** An error answer of the API, with its `{error, message, details}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ErrorBody>,
  ) {
    super(`${status} ${body.error ?? 'Error'}: ${body.message ?? JSON.stringify(body)}`);
    this.name = 'ApiError';
  }
}

/** The region of an execute-api URL (`https://id.execute-api.eu-west-1.amazonaws.com/dev`). */
const regionOfUrl = (url: URL): string | undefined => /\.execute-api\.([a-z0-9-]+)\./.exec(url.host)?.[1];

/**
 * The request signed with SigV4 by the default credential chain (env, profile, SSO, instance role).
 * Loaded lazily: the local stack needs none of it.
 */
const signed = async (request: Request, regionOverride?: string): Promise<Request> => {
  const [{ SignatureV4 }, { defaultProvider }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-sdk/credential-provider-node'),
  ]);
  const url = new URL(request.url);
  const body = request.body ? await request.clone().text() : undefined;
  const region = regionOverride ?? regionOfUrl(url) ?? process.env.AWS_REGION ?? 'us-east-1';
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: defaultProvider(),
    sha256: Sha256,
  });
  const result = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...Object.fromEntries(request.headers), host: url.host },
    ...(body !== undefined ? { body } : {}),
  });
  return new Request(request.url, {
    method: request.method,
    headers: result.headers as Record<string, string>,
    ...(body !== undefined ? { body } : {}),
  });
};

/** The request as the API wants it: with the API key, or signed (IAM); as it is for the local stack. */
export const authorize = async (request: Request, auth: ApiAuth): Promise<Request> => {
  if (auth.kind === 'apiKey') request.headers.set('x-api-key', auth.key);
  if (auth.kind === 'iam') return signed(request, auth.region);
  return request;
};

const authentication = (auth: ApiAuth): Middleware => ({
  onRequest: ({ request }) => authorize(request, auth),
});

/** A network failure says where it was going, not just "fetch failed". */
const unreachable = (url: string): Middleware => ({
  onError: ({ error }) =>
    new Error(`cannot reach ${url} (${(error as Error).message}); is the API running?`, { cause: error }),
});

/** Times a GET the API answered 503 (AWS busy after its own retries) is sent again, after Retry-After. */
const BUSY_RETRIES = 3;

/** `send`, with a GET answered 503 and Retry-After sent again (it changes nothing) after that many seconds. */
const retryingBusy =
  (send: (request: Request) => Promise<Response>) =>
  async (request: Request): Promise<Response> => {
    for (let retry = 0; ; retry++) {
      const response = await send(request.method === 'GET' ? request.clone() : request);
      const after = response.headers.get('retry-after');
      if (request.method !== 'GET' || response.status !== 503 || after === null || retry >= BUSY_RETRIES)
        return response;
      await new Promise((resolve) => setTimeout(resolve, Number(after) * 1000));
    }
  };

/**
 * The control API's client: `api.GET('/workflows/{id}', { params: { path: { id } } })` and so on,
 * each answering `{ data, error, response }` typed by the document (see `unwrap`).
 */
export const createApiClient = (options: ApiClientOptions): ControlApi => {
  const baseUrl = options.url.replace(/\/+$/, '');
  const client = createClient<paths>({
    baseUrl,
    headers: { accept: 'application/json' },
    fetch: retryingBusy(options.fetch ?? ((request) => fetch(request))),
  });
  client.use(unreachable(baseUrl), authentication(options.auth ?? { kind: 'none' }));
  return client;
};

/** The answer's data, or an ApiError with the API's error body. */
export const unwrap = async <T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> => {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body =
      error && typeof error === 'object' ? (error as Partial<ErrorBody>) : { message: String(error) };
    throw new ApiError(response.status, body);
  }
  return data as T;
};
