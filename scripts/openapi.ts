import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from '../functions/api/openapi.js';

/** `npm run openapi`: regenerates docs/openapi.json from the route table (a test checks it is current). */
export const OPENAPI_PATH = resolve(fileURLToPath(new URL('..', import.meta.url)), 'docs/openapi.json');

writeFileSync(OPENAPI_PATH, renderOpenApiDocument());
console.log(`wrote ${OPENAPI_PATH}`);
