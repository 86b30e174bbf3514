import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, renderOpenApiDocument } from '../functions/api/openapi.js';
import { API_TYPES_PATH, renderApiTypes } from './api-types.js';

/**
 * `npm run openapi`: regenerates docs/openapi.json from the route table, and the typed client's
 * types (generated/control-api.ts) from it; tests check both are current.
 */
export const OPENAPI_PATH = resolve(fileURLToPath(new URL('..', import.meta.url)), 'docs/openapi.json');

writeFileSync(OPENAPI_PATH, renderOpenApiDocument());
console.log(`wrote ${OPENAPI_PATH}`);
writeFileSync(API_TYPES_PATH, await renderApiTypes(buildOpenApiDocument()));
console.log(`wrote ${API_TYPES_PATH}`);
