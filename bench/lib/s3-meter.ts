import { createServer, type IncomingMessage, request } from 'node:http';
import { listenLocal } from '../../infra/local/listen.js';

/*
 * A counting pass-through proxy in front of the local S3 server (infra/local/s3-server.ts), as
 * infra/local/dynamo-meter.ts is for DynamoDB: the app is given the proxy's endpoint as its
 * AWS_ENDPOINT_URL_S3, so every request a handler makes is seen and named by its S3 operation.
 */

/** Requests by S3 operation (PutObject, GetObject, HeadObject, ListObjects, CreateBucket...). */
export interface S3Usage {
  readonly requests: Record<string, number>;
}

export interface S3Meter {
  readonly endpoint: string;
  usage(): S3Usage;
  reset(): void;
  close(): Promise<void>;
}

/** Billed as S3 Standard's "PUT, COPY, POST, LIST requests". */
export const PUT_TIER = new Set([
  'PutObject',
  'CopyObject',
  'UploadPart',
  'PostObject',
  'CreateBucket',
  'PutBucketConfiguration',
  'DeleteObjects',
  'ListObjects',
  'ListBuckets',
]);
/** Billed as "GET, SELECT, and all other requests" (DELETE is free). */
export const GET_TIER = new Set(['GetObject', 'HeadObject', 'HeadBucket', 'GetBucketConfiguration']);

const LIST_PARAMETERS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
]);

/** The S3 operation of a path-style request (`/bucket` or `/bucket/key`). */
export const s3OperationOf = (incoming: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): string => {
  const url = new URL(incoming.url ?? '/', 'http://local');
  const [, bucket = '', ...key] = url.pathname.split('/');
  const method = incoming.method ?? 'GET';
  const hasKey = key.join('/') !== '';
  // A bucket request with a subresource (`?lifecycle`, `?policy`...) reads or writes a setting.
  const subresource = [...url.searchParams.keys()].some((name) => !LIST_PARAMETERS.has(name));
  if (bucket === '') return method === 'GET' ? 'ListBuckets' : `${method} /`;
  if (hasKey) {
    if (method === 'PUT')
      return incoming.headers['x-amz-copy-source']
        ? 'CopyObject'
        : url.searchParams.has('partNumber')
          ? 'UploadPart'
          : 'PutObject';
    if (method === 'GET') return 'GetObject';
    if (method === 'HEAD') return 'HeadObject';
    if (method === 'DELETE') return 'DeleteObject';
    if (method === 'POST') return 'PostObject';
    return `${method} object`;
  }
  if (method === 'PUT') return subresource ? 'PutBucketConfiguration' : 'CreateBucket';
  if (method === 'GET') return subresource ? 'GetBucketConfiguration' : 'ListObjects';
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'DELETE') return 'DeleteBucket';
  if (method === 'POST') return 'DeleteObjects';
  return `${method} bucket`;
};

export const s3RequestsOf = (usage: S3Usage, tier: ReadonlySet<string>): number =>
  Object.entries(usage.requests).reduce((sum, [operation, n]) => sum + (tier.has(operation) ? n : 0), 0);

/** Starts the proxy in front of `target` (the S3 server's endpoint); bodies are streamed, not held. */
export const startS3Meter = async (target: string): Promise<S3Meter> => {
  const upstream = new URL(target);
  let requests: Record<string, number> = {};
  const server = createServer((incoming, outgoing) => {
    const operation = s3OperationOf(incoming);
    requests[operation] = (requests[operation] ?? 0) + 1;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 500, response.headers);
        response.pipe(outgoing);
      },
    );
    forward.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forward);
  });
  const { url, close } = await listenLocal(server);
  return {
    endpoint: url,
    usage: () => ({ requests: { ...requests } }),
    reset: () => {
      requests = {};
    },
    close,
  };
};
