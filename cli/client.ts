import { Sha256 } from './sha256.js';

/** How the CLI authenticates: none (local stack), an API key (apiKey mode), or SigV4 (IAM mode). */
export type ApiAuth = { kind: 'none' } | { kind: 'apiKey'; key: string } | { kind: 'iam'; region?: string };

export interface ApiClientOptions {
  readonly url: string;
  readonly auth: ApiAuth;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** An error answer of the API, with its `{error, message, details}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; message?: string; details?: unknown },
  ) {
    super(`${status} ${body.error ?? 'Error'}: ${body.message ?? JSON.stringify(body)}`);
    this.name = 'ApiError';
  }
}

/** The region of an execute-api URL (`https://id.execute-api.eu-west-1.amazonaws.com/dev`). */
const regionOfUrl = (url: URL): string | undefined => /\.execute-api\.([a-z0-9-]+)\./.exec(url.host)?.[1];

/**
 * SigV4-signed headers for one request, with the default credential chain (env, profile, SSO,
 * instance role). Loaded lazily: the local stack needs none of it.
 */
const signedHeaders = async (
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  regionOverride?: string,
): Promise<Record<string, string>> => {
  const [{ SignatureV4 }, { defaultProvider }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-sdk/credential-provider-node'),
  ]);
  const region = regionOverride ?? regionOfUrl(url) ?? process.env.AWS_REGION ?? 'us-east-1';
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: defaultProvider(),
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...headers, host: url.host },
    ...(body !== undefined ? { body } : {}),
  });
  return signed.headers as Record<string, string>;
};

/** A small client of the control API: JSON in, JSON out, API errors thrown as ApiError. */
export class ApiClient {
  readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const search = new URLSearchParams(
      Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    return this.request<T>('GET', search ? `${path}?${search}` : path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, payload?: unknown): Promise<T> {
    const url = new URL(`${this.url}${path}`);
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    let headers: Record<string, string> = {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const { auth } = this.options;
    if (auth.kind === 'apiKey') headers['x-api-key'] = auth.key;
    if (auth.kind === 'iam') headers = await signedHeaders(url, method, headers, body, auth.region);
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (cause) {
      throw new Error(`cannot reach ${this.url} (${(cause as Error).message}); is the API running?`, {
        cause,
      });
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as ApiError['body']);
    return parsed as T;
  }
}
