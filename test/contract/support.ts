import { readFileSync } from 'node:fs';
import { OpenAPIBackend, type OpenAPIValidator, SetMatchType } from 'openapi-backend';
import { expect } from 'vitest';

/*
 * The contract as the tests hold the running API to it: docs/openapi.json (the committed document,
 * which test/api/openapi.test.ts keeps equal to what the route table generates), read by
 * openapi-backend, whose Ajv validators check each request and each answer (status, headers, body).
 */

type Json = Record<string, unknown>;
type ErrorObject = NonNullable<ReturnType<OpenAPIValidator['validateRequest']>['errors']>[number];

export const OPENAPI_DOCUMENT = JSON.parse(
  readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'),
) as Json;

/** One HTTP request, as sent on the wire. */
export interface Call {
  readonly method: 'GET' | 'POST';
  /** The concrete path, parameters already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** The raw body. */
  readonly body?: string;
}

export interface Answer {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly body: unknown;
}

export const send = async (baseUrl: string, call: Call): Promise<Answer> => {
  const search = new URLSearchParams(call.query ?? {}).toString();
  const response = await fetch(`${baseUrl}${call.path}${search ? `?${search}` : ''}`, {
    method: call.method,
    headers: call.headers ?? {},
    ...(call.body !== undefined ? { body: call.body } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined; // not JSON: check() reports it
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), text, body };
};

/** A JSON POST (or GET without body) with the given headers. */
export const json = (method: Call['method'], path: string, body?: unknown, headers: Json = {}): Call => ({
  method,
  path,
  headers: {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(headers as Record<string, string>),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

type Schema = Json & { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: unknown };

/** Fields of an answer its schema does not name (the schemas leave additionalProperties open). */
const undocumentedFields = (schema: Schema | undefined, value: unknown, at = ''): string[] => {
  if (!schema || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value))
    return value.flatMap((item, i) => undocumentedFields(schema.items, item, `${at}[${i}]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (key in schema) return [];
  if (!schema.properties || schema.additionalProperties !== undefined) return [];
  const properties = schema.properties;
  return Object.entries(value).flatMap(([key, item]) =>
    key in properties ? undocumentedFields(properties[key], item, `${at}.${key}`) : [`${at}.${key}`],
  );
};

export interface Operation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly parameters?: (Json & { name: string; in: string; required?: boolean; schema: Schema })[];
  readonly requestBody?: {
    required?: boolean;
    content: Record<string, { schema: Schema; example?: unknown }>;
  };
  readonly responses: Record<string, { headers?: Record<string, { required?: boolean }>; content?: Json }>;
}

export interface Contract {
  /** Every operation of the document, dereferenced. */
  readonly operations: readonly Operation[];
  operation(operationId: string): Operation;
  /** The statuses the document lists for an operation. */
  statuses(operationId: string): number[];
  /** Asserts the answer is documented: its status, headers and body; returns the body. */
  check(operationId: string, answer: Answer): unknown;
  /** The document's objections to a request (empty when the document says it is valid). */
  requestErrors(operationId: string, request: RequestParts): ErrorObject[];
}

export interface RequestParts {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, if one is sent. */
  readonly body?: unknown;
}

/** RFC 3339 date-time, as every timestamp of the API is written. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const loadContract = async (): Promise<Contract> => {
  const backend = new OpenAPIBackend({
    definition: structuredClone(OPENAPI_DOCUMENT) as never,
    strict: true,
    validate: true,
    coerceTypes: true,
    customizeAjv: (ajv) => {
      ajv.addFormat('date-time', {
        validate: (text: string) => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)),
      });
      return ajv;
    },
  });
  await backend.init();
  const operations = backend.getOperations() as unknown as Operation[];
  const operation = (operationId: string): Operation => {
    const found = operations.find((op) => op.operationId === operationId);
    if (!found) throw new Error(`no operation ${operationId} in the document`);
    return found;
  };
  const statuses = (operationId: string) => Object.keys(operation(operationId).responses).map(Number);
  return {
    operations,
    operation,
    statuses,
    check(operationId, answer) {
      const where = `${operationId} → ${answer.status} ${answer.text.slice(0, 300)}`;
      expect(statuses(operationId), where).toContain(answer.status);
      const response = operation(operationId).responses[String(answer.status)];
      expect(answer.headers['content-type'] ?? '', where).toMatch(/^application\/json\b/);
      expect(answer.body, `${where}: the body is not JSON`).toBeDefined();
      const body = backend.validator.validateResponse(answer.body, operationId, answer.status);
      expect(body.errors ?? [], where).toEqual([]);
      const headers = backend.validator.validateResponseHeaders(answer.headers, operationId, {
        statusCode: answer.status,
        setMatchType: SetMatchType.Any,
      });
      expect(headers.errors ?? [], `${where}: headers ${JSON.stringify(answer.headers)}`).toEqual([]);
      // openapi-backend checks the values of the headers sent; which must be sent, the document says.
      const required = Object.entries(response?.headers ?? {}).filter(([, header]) => header.required);
      for (const [name] of required) expect(answer.headers, where).toHaveProperty(name.toLowerCase());
      const schema = (response?.content?.['application/json'] as { schema?: Schema } | undefined)?.schema;
      expect(undocumentedFields(schema, answer.body), where).toEqual([]);
      return answer.body;
    },
    requestErrors(operationId, request) {
      const op = operation(operationId);
      const result = backend.validator.validateRequest(
        {
          method: op.method,
          path: request.path,
          query: { ...request.query },
          headers: { ...request.headers },
          ...(request.body !== undefined ? { body: request.body } : {}),
        },
        operationId,
      );
      return result.errors ?? [];
    },
  };
};
