// The 400s' messages are zod's English ones, which zod/mini does not load by itself.
import '../shared/zod-locale.js';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { ValidationError, type ValidationIssue } from '../domain/errors.js';
import { HttpError } from './http-errors.js';
import type { Route } from './routes.js';

export interface ParsedRequest {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Header names are case-insensitive: every lookup goes through lower-cased names. */
export const lowerCaseHeaders = (headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  return out;
};

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/** Unknown field names listed in one problem, at most; each cut to 50 characters. */
const MAX_LISTED_KEYS = 10;
/** Problems listed in a 400, at most: an answer stays small whatever the request (Lambda answers ≤ 6 MB). */
const MAX_ISSUES = 20;

const listKeys = (keys: readonly string[]): string => {
  const listed = keys.slice(0, MAX_LISTED_KEYS).map((key) => key.slice(0, 50));
  const more = keys.length - listed.length;
  return `${listed.join(', ')}${more > 0 ? ` (and ${more} more)` : ''}`;
};

/** Turns zod issues into the `details` of a 400: where (the field path) and which rule. */
const issuesOf = (where: string, error: z.core.$ZodError): ValidationIssue[] =>
  error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    const unknownKeys = issue.code === 'unrecognized_keys' ? listKeys(issue.keys) : '';
    return {
      path: unknownKeys ? `${path}${path ? '.' : ''}${unknownKeys}` : path.slice(0, 500),
      rule: issue.code,
      message: unknownKeys ? `unknown field(s): ${unknownKeys}` : issue.message,
    };
  });

const validate = <S extends z.core.$ZodType>(schema: S, where: string, value: unknown): z.output<S> => {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issues = issuesOf(where, result.error);
  const first = issues[0];
  const message = first ? `${first.path || where}: ${first.message}` : `invalid ${where}`;
  const others = result.error.issues.length - 1;
  throw new ValidationError(others > 0 ? `${message} (and ${others} more)` : message, issues);
};

const readBody = (event: APIGatewayProxyEvent, route: Route, headers: Record<string, string>): unknown => {
  const raw =
    event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === null || raw === undefined || raw.trim() === '') {
    if ('bodyRequired' in route && route.bodyRequired) {
      const message = 'a JSON request body is required';
      throw new ValidationError(message, [{ path: 'body', rule: 'required', message }]);
    }
    return {};
  }
  const contentType = headers['content-type'];
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType))
    throw new HttpError(415, 'UnsupportedMediaType', 'Content-Type must be application/json', {
      contentType: contentType?.slice(0, 100) ?? null,
    });
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'ValidationError', 'body is not valid JSON', [
      { path: 'body', rule: 'json', message: 'the request body must be a JSON document' },
    ]);
  }
};

/** Validates an event against its route's schemas: path parameters, query string, then the body. */
export const parseRequest = (
  event: APIGatewayProxyEvent,
  route: Route,
  pathParameters: Record<string, string>,
): ParsedRequest => {
  const headers = lowerCaseHeaders(event.headers);
  const params = 'params' in route ? validate(route.params, 'path', pathParameters) : undefined;
  const rawQuery = event.queryStringParameters ?? {};
  let query: unknown;
  if ('query' in route) query = validate(route.query, 'query', rawQuery);
  else if (Object.keys(rawQuery).length > 0) {
    const names = Object.keys(rawQuery)
      .slice(0, 10)
      .map((name) => name.slice(0, 50))
      .join(', ');
    const message = `this route takes no query parameters (got ${names})`;
    throw new ValidationError(message, [{ path: 'query', rule: 'unrecognized_keys', message }]);
  }
  const body =
    route.method === 'POST' && 'body' in route
      ? validate(route.body, 'body', readBody(event, route, headers))
      : undefined;
  return { params, query, body, headers };
};
