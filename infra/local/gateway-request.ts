import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RefusedRequest } from './gateway-responses.js';

/*
 * The raw HTTP request as the local API gateway reads it before routing: its target, path
 * segments, header size and body, against API Gateway's limits.
 */

/** API Gateway's payload limit for REST APIs: a larger body is refused with a 413. */
export const PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** API Gateway's limit on the request line and the header values together. */
export const HEADER_LIMIT_BYTES = 10 * 1024;
/**
 * Past the payload limit the body is still read (and dropped) so the client, still sending, gets
 * the 413 rather than a reset connection; this much more, and the connection is closed instead.
 */
const DRAIN_LIMIT_BYTES = 4 * PAYLOAD_LIMIT_BYTES;

/** Path and query of a request target: origin form, or absolute form (whose authority is ignored). */
export const targetOf = (url: string): { path: string; query: string } | undefined => {
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

/** The query string of a request's target ('' when it has none or the target is not a path). */
export const queryOf = (request: IncomingMessage): string => targetOf(request.url ?? '/')?.query ?? '';

/** The decoded segments of a path (one trailing slash ignored); undefined when one is malformed. */
export const segmentsOf = (path: string): string[] | undefined => {
  const inner = path.slice(1).replace(/\/$/, '');
  if (inner === '') return [];
  try {
    return inner.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined; // decodeURIComponent: a bad escape or bytes that are not UTF-8
  }
};

/** Request line plus header values, as API Gateway counts them against its header limit. */
export const headerBytes = (request: IncomingMessage): number => {
  let total = `${request.method} ${request.url} HTTP/${request.httpVersion}`.length;
  for (let i = 1; i < request.rawHeaders.length; i += 2) total += request.rawHeaders[i]?.length ?? 0;
  return total;
};

export type Body =
  | { kind: 'read'; text: string | null }
  | { kind: 'tooLarge'; drained: boolean }
  | { kind: 'lost' };

/**
 * Reads the body up to the payload limit. Past it, the rest is read and dropped (up to
 * DRAIN_LIMIT_BYTES), so the refusal reaches a client that is still sending.
 */
export const readBody = (request: IncomingMessage): Promise<Body> =>
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
export const drain = async (request: IncomingMessage): Promise<boolean> => {
  if (request.complete || request.readableEnded) return true;
  const body = await readBody(request);
  return body.kind !== 'lost' && !(body.kind === 'tooLarge' && !body.drained);
};

/**
 * A record keyed by names a client chose (query keys, header names): with no prototype, `toString`
 * or `__proto__` is a key like any other, not Object.prototype's member.
 */
export const nameMap = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** What the gateway knows of a request before it routes it (the `$context` of its refusals). */
export const requestInfo = (request: IncomingMessage, stage: string): RefusedRequest => {
  const target = targetOf(request.url ?? '/');
  const headers = nameMap<string>();
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query = nameMap<string>();
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

/** The `$context` of a request Node's parser refused: nothing of it is known. */
export const unparsedRequestInfo = (stage: string): RefusedRequest => ({
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
