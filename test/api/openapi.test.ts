import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  buildOpenApiDocument,
  OPERATION_DOCS,
  PARAMETER_EXAMPLES,
  renderOpenApiDocument,
} from '../../functions/api/openapi.js';
import { ERROR_RESPONSES, errorStatusesOf } from '../../functions/api/openapi-responses.js';
import { routes } from '../../functions/api/routes.js';
import { API_TYPES_PATH, renderApiTypes } from '../../scripts/api-types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Json = Record<string, unknown>;
const document = buildOpenApiDocument() as unknown as Json & {
  paths: Record<string, Record<string, Json & { responses: Record<string, Json> }>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
};
const operationOf = (route: (typeof routes)[number]) =>
  document.paths[route.path]?.[route.method.toLowerCase()] as Json & { responses: Record<string, Json> };

/** Every object of the document, with where it is. */
const walk = (node: unknown, at = '#', out: [string, Json][] = []): [string, Json][] => {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(item, `${at}/${i}`, out);
  } else if (node && typeof node === 'object') {
    out.push([at, node as Json]);
    for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`, out);
  }
  return out;
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3 document with every route of the route table', async () => {
    const result = await new Validator().validate(
      document as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const route of routes)
      expect(operationOf(route)?.operationId, `${route.method} ${route.path}`).toBe(route.operationId);
  });

  it('docs/openapi.json is what `npm run openapi` generates now', () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderOpenApiDocument());
  });

  it('generated/control-api.ts (the typed client) is what `npm run openapi` generates now', async () => {
    expect(readFileSync(API_TYPES_PATH, 'utf8')).toBe(await renderApiTypes(document));
  });

  it("documents every status the handler or API Gateway can answer, with the error schema and the handler's headers", () => {
    for (const route of routes) {
      const { responses } = operationOf(route);
      // A GET also answers 304 to an If-None-Match naming its ETag (functions/api/conditional-get.ts).
      const notModified = route.method === 'GET' ? ['304'] : [];
      const expected = [String(route.status), ...notModified, ...errorStatusesOf(route).map(String)];
      expect(Object.keys(responses).sort(), route.operationId).toEqual(expected.sort());
      for (const status of [401, 403, 429, 500, 502, 504]) expect(responses[status]).toBeDefined();
      if (route.method === 'POST') for (const status of [413, 415]) expect(responses[status]).toBeDefined();
      expect(responses[route.status]?.headers).toMatchObject({ 'x-correlation-id': { required: true } });
      if (route.method === 'GET')
        expect(responses[route.status]?.headers).toMatchObject({ ETag: { required: true } });
    }
    for (const { name, source } of Object.values(ERROR_RESPONSES)) {
      const response = document.components.responses[name] as Json & { headers: Json; content: Json };
      expect(response.content).toEqual({
        'application/json': expect.objectContaining({ schema: { $ref: '#/components/schemas/Error' } }),
      });
      // API Gateway's own answers carry no correlation id; the handler's always do.
      if (source === 'gateway') expect(response.headers['x-correlation-id']).toBeUndefined();
      else expect(response.headers['x-correlation-id']).toMatchObject({ required: source === 'handler' });
    }
    expect(document.components.responses.Conflict?.headers).toHaveProperty('Retry-After');
  });

  it('has servers, no remote $ref, no `nullable` without a type and no fault-injection keys', () => {
    expect(document.servers).toEqual(
      expect.arrayContaining([expect.objectContaining({ url: expect.any(String) })]),
    );
    for (const [at, node] of walk(document)) {
      if (typeof node.$ref === 'string') expect(node.$ref, at).toMatch(/^#\//);
      if (node.nullable === true) expect(node.type, at).toBeDefined();
    }
    expect(JSON.stringify(document)).not.toMatch(/\bfaults\b/);
    const metadata = document.components.schemas.Metadata as Json & { properties: Json };
    expect(Object.keys(metadata.properties)).toEqual(['dataset', 'autoRecovery']);
    expect((document.components.schemas.Workflow as { properties: Json }).properties.metadata).toEqual({
      $ref: '#/components/schemas/Metadata',
    });
  });

  it("publishes each definition's parameters, and the create body's metadata is one of them", () => {
    const parameters = document.components.schemas.DatasetBuildParameters as Json & {
      properties: Record<string, Json & { properties?: Record<string, Json> }>;
    };
    // A job service's own keys are kept beside the parameters; `dataset` itself takes no unknown key.
    expect(parameters.additionalProperties).toEqual({});
    expect(parameters.properties.dataset?.additionalProperties).toBe(false);
    expect(Object.keys(parameters.properties)).toEqual(['dataset', 'autoRecovery', 'tolerance']);
    expect(parameters.properties.dataset?.properties?.items).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100_000,
      default: 2000,
    });
    expect(Object.keys(parameters.properties.tolerance?.properties ?? {})).toEqual(['download', 'validate']);
    const create = operationOf(routes[0]) as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, Json> } } } };
    };
    expect(create.requestBody.content['application/json'].schema.properties.metadata).toMatchObject({
      anyOf: [
        { $ref: '#/components/schemas/DatasetBuildParameters' },
        { $ref: '#/components/schemas/DatasetSmokeParameters' },
      ],
    });
    const definition = document.components.schemas.Definition as Json & { required: string[] };
    expect(definition.required).toContain('parameters');
  });

  it("its request examples are valid by the handler's own schemas", () => {
    for (const route of routes) {
      const { body } = OPERATION_DOCS[route.operationId];
      if (body !== undefined && 'body' in route) expect(route.body.safeParse(body).success).toBe(true);
      if ('params' in route)
        for (const [name, schema] of Object.entries(route.params.shape))
          expect(z.safeParse(schema, PARAMETER_EXAMPLES[name]).success, name).toBe(true);
    }
  });

  it("passes Redocly's recommended ruleset with no error and no warning, without the network", async () => {
    const config = readFileSync(new URL('../../redocly.yaml', import.meta.url), 'utf8');
    expect(config).toMatch(/^telemetry: off$/m);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'node_modules/@redocly/cli/bin/cli.js',
        'lint',
        'docs/openapi.json',
        '--config=redocly.yaml',
        '--format=json',
      ],
      {
        cwd: ROOT,
        timeout: 60_000,
        // Telemetry off (the config says so too) and no check for a newer version on the registry.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const report = JSON.parse(stdout) as { totals: Json; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });
});
