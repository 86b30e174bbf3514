import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import S3rver from 's3rver';
import { fixedPort } from './fixed-ports.js';

/** A real S3 API (s3rver) on 127.0.0.1: buckets and objects as files under one folder. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`: what AWS_ENDPOINT_URL_S3 is set to. */
  readonly endpoint: string;
  /** The folder of the buckets. */
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface S3ServerOptions {
  /**
   * Folder of the buckets, kept after stop (the local stack's `.local/s3`). @default a temporary
   * folder, removed at stop
   */
  readonly dataDir?: string;
  /** @default LOCAL_S3_PORT (fixed-ports.ts), else a free port */
  readonly port?: number;
}

const HOST = '127.0.0.1';

/**
 * The access key s3rver knows (its one built-in account). It checks no SigV4 signature, only that
 * the key exists: every request is given this key, so any credentials work, as they do on the
 * local DynamoDB.
 */
const S3RVER_ACCESS_KEY = 'S3RVER';

/**
 * Starts s3rver on 127.0.0.1. Two things are done in front of it so that the SDK's defaults work
 * as they do against S3, with no client setting: any access key is accepted (see above), and a
 * body the SDK sends `aws-chunked` (v3 sends every streamed upload so, with a trailing checksum)
 * is decoded, and its checksum checked, before s3rver stores it; s3rver would store the chunk
 * framing as the object. Clients address buckets by path (`http://127.0.0.1:port/bucket/key`),
 * which the SDK does by itself for an IP endpoint.
 */
export const startS3Server = async (options: S3ServerOptions = {}): Promise<S3Server> => {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(`${tmpdir()}/job-orchestrator-s3-`);
  mkdirSync(dataDir, { recursive: true });
  const s3rver = new S3rver({
    address: HOST,
    silent: true,
    directory: dataDir,
    // Path-style only: a Host header is never taken for a bucket name.
    vhostBuckets: false,
  });
  // Koa runs `middleware` in order; s3rver composes it when the server's handler is made below.
  (s3rver as unknown as { middleware: KoaMiddleware[] }).middleware.unshift(sdkCompatibility);
  // Requests under way, so a stop removes the folder only once none of them writes there any more.
  const handle = s3rver.callback();
  const inFlight = new Set<Promise<unknown>>();
  const server = createServer((req, res) => {
    const handled: Promise<unknown> = Promise.resolve(handle(req, res)).finally(() =>
      inFlight.delete(handled),
    );
    inFlight.add(handled);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? fixedPort('s3') ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}`,
    dataDir,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })
        // Their connections are closed, so they end at once; 5 s bounds one that would not.
        .then(() =>
          Promise.race([
            Promise.allSettled([...inFlight]),
            new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
          ]),
        )
        .then(() => {
          if (owned) rmSync(dataDir, { recursive: true, force: true });
        });
      return stopped;
    },
  };
};

interface KoaContext {
  req: IncomingMessage | Readable;
  readonly request: { readonly req: IncomingMessage };
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

const sdkCompatibility: KoaMiddleware = async (ctx, next) => {
  const req = ctx.request.req;
  acceptAnyAccessKey(req, ctx);
  if (isAwsChunked(req)) {
    const decoded = await decodeAwsChunked(req);
    if ('error' in decoded) {
      ctx.status = 400;
      ctx.type = 'application/xml';
      ctx.body = errorXml(decoded.error, decoded.message);
      return;
    }
    ctx.req = Readable.from([decoded.body]);
  }
  await next();
};

/** Every form of credential s3rver reads, given its own access key (the signature is not checked). */
const acceptAnyAccessKey = (req: IncomingMessage, ctx: KoaContext): void => {
  const authorization = req.headers.authorization;
  if (authorization)
    req.headers.authorization = authorization
      .replace(/(Credential=)[^/,\s]+\//, `$1${S3RVER_ACCESS_KEY}/`)
      .replace(/^AWS [^:\s]+:/, `AWS ${S3RVER_ACCESS_KEY}:`);
  const query = { ...ctx.query };
  if (typeof query['X-Amz-Credential'] === 'string')
    query['X-Amz-Credential'] = query['X-Amz-Credential'].replace(/^[^/]+\//, `${S3RVER_ACCESS_KEY}/`);
  if (typeof query.AWSAccessKeyId === 'string') query.AWSAccessKeyId = S3RVER_ACCESS_KEY;
  if (
    query['X-Amz-Credential'] !== ctx.query['X-Amz-Credential'] ||
    query.AWSAccessKeyId !== ctx.query.AWSAccessKeyId
  )
    ctx.query = query;
};

const isAwsChunked = (req: IncomingMessage): boolean =>
  /(^|,)\s*aws-chunked\s*(,|$)/i.test(String(req.headers['content-encoding'] ?? '')) ||
  String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

type Decoded = { body: Buffer } | { error: string; message: string };

/**
 * Reads an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0…\r\n`, then
 * trailing headers and `\r\n`) whole, and rewrites the request's headers to those of the decoded
 * body, as S3 stores it: `aws-chunked` leaves Content-Encoding, Content-Length is the decoded
 * length. A checksum the SDK sent (trailer or header) is checked, as S3 does (BadDigest).
 */
export const decodeAwsChunked = async (req: IncomingMessage): Promise<Decoded> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  const line = (): string | undefined => {
    const end = raw.indexOf('\r\n', at);
    if (end < 0) return undefined;
    const text = raw.subarray(at, end).toString('latin1');
    at = end + 2;
    return text;
  };
  for (;;) {
    const header = line();
    const size = header === undefined ? Number.NaN : Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isSafeInteger(size) || size < 0 || at + size > raw.length)
      return { error: 'IncompleteBody', message: 'The aws-chunked body is malformed or incomplete.' };
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size;
    if (line() !== '')
      return { error: 'IncompleteBody', message: 'An aws-chunked chunk does not end with CRLF.' };
  }
  for (let trailer = line(); trailer; trailer = line()) {
    const colon = trailer.indexOf(':');
    if (colon > 0) trailers[trailer.slice(0, colon).trim().toLowerCase()] = trailer.slice(colon + 1).trim();
  }
  const body = Buffer.concat(parts);

  const headers = req.headers;
  const declared = headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== body.length)
    return {
      error: 'IncompleteBody',
      message: `The body has ${body.length} bytes, x-amz-decoded-content-length says ${declared}.`,
    };
  const mismatch = checksumMismatch(body, { ...pickChecksums(headers), ...trailers });
  if (mismatch) return { error: 'BadDigest', message: mismatch };

  const encoding = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value && value.toLowerCase() !== 'aws-chunked');
  if (encoding.length > 0) headers['content-encoding'] = encoding.join(', ');
  else delete headers['content-encoding'];
  headers['content-length'] = String(body.length);
  for (const name of ['transfer-encoding', 'x-amz-decoded-content-length', 'x-amz-trailer'])
    delete headers[name];
  return { body };
};

const pickChecksums = (headers: IncomingMessage['headers']): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      name.startsWith('x-amz-checksum-') && typeof value === 'string' ? [[name, value]] : [],
    ),
  );

/** The algorithms this server can check (Node 20.15+ for CRC32); CRC32C and CRC64NVME are taken as sent. */
const CHECKSUMS: Record<string, ((body: Buffer) => string) | undefined> = {
  'x-amz-checksum-crc32': (() => {
    const crc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;
    if (!crc32) return undefined;
    return (body: Buffer) => {
      const value = Buffer.alloc(4);
      value.writeUInt32BE(crc32(body) >>> 0);
      return value.toString('base64');
    };
  })(),
  'x-amz-checksum-sha1': (body) => createHash('sha1').update(body).digest('base64'),
  'x-amz-checksum-sha256': (body) => createHash('sha256').update(body).digest('base64'),
};

const checksumMismatch = (body: Buffer, sent: Record<string, string>): string | undefined => {
  for (const [name, value] of Object.entries(sent)) {
    const compute = CHECKSUMS[name];
    if (compute && compute(body) !== value)
      return `The ${name.slice('x-amz-checksum-'.length).toUpperCase()} you specified did not match the calculated checksum.`;
  }
  return undefined;
};

const errorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
