import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, renderOpenApiDocument } from '../../functions/api/openapi.js';
import { routes } from '../../functions/api/routes.js';

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3 document with every route of the route table', async () => {
    const document = buildOpenApiDocument();
    const result = await new Validator().validate(
      document as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const route of routes) {
      const operation = (document.paths as Record<string, Record<string, { operationId?: string }>>)[
        route.path
      ]?.[route.method.toLowerCase()];
      expect(operation?.operationId, `${route.method} ${route.path}`).toBe(route.operationId);
    }
  });

  it('docs/openapi.json is what `npm run openapi` generates now', () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderOpenApiDocument());
  });
});
