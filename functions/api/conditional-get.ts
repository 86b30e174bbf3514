import { createHash } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/*
 * Conditional GETs: every 200 answer of a GET carries an ETag (a hash of its body), and a GET whose
 * If-None-Match names it is answered 304 with no body. The web console polls its views each second
 * this way (README, "Web console"): an unchanged view costs no body and no re-render.
 */

export const ETAG_HEADER = 'ETag';

/** A strong validator of the body: the same JSON text, the same tag. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/**
 * The tags an If-None-Match header lists; a weak tag compares as its strong self. `*` is not
 * honoured: it would answer every GET with a 304, and no client of this API needs it.
 */
const listed = (header: string | undefined): string[] =>
  (header ?? '')
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .filter((tag) => tag !== '');

const headerOf = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  return undefined;
};

export const conditionalGet = (): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  after: (request) => {
    const { event, response } = request;
    if (event.httpMethod !== 'GET' || !response || response.statusCode !== 200) return;
    const etag = etagOf(response.body);
    // no-cache: a browser or proxy may keep the answer but must ask again (with the tag) before using it.
    const headers = { ...response.headers, [ETAG_HEADER]: etag, 'Cache-Control': 'no-cache' };
    const tags = listed(headerOf(event, 'if-none-match'));
    if (tags.includes(etag)) {
      const { 'content-type': _type, 'Content-Type': _Type, ...rest } = headers as Record<string, string>;
      request.response = { statusCode: 304, headers: rest, body: '' };
      return;
    }
    request.response = { ...response, headers };
  },
});
