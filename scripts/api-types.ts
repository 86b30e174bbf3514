import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The typed client's types, generated from docs/openapi.json (committed: no build step runs before tsc). */
export const API_TYPES_PATH = resolve(ROOT, 'generated/control-api.ts');

const HEADER = `/**
 * The control API's types, generated from docs/openapi.json by openapi-typescript: \`npm run openapi\`
 * writes both, and test/api/openapi.test.ts checks this file is current. Do not edit it by hand.
 */

`;

/** openapi-typescript's output for the document, formatted as Biome formats the repository. */
export const renderApiTypes = async (document: unknown): Promise<string> => {
  // A parameter with a default may be left out of a request (the API fills it in): not required.
  const ast = await openapiTS(document as OpenAPI3, { silent: true, defaultNonNullable: false });
  const source = `${HEADER}${astToString(ast)}`;
  const biome = resolve(ROOT, 'node_modules/.bin/biome');
  const formatted = spawnSync(biome, ['format', `--stdin-file-path=${API_TYPES_PATH}`], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
  });
  if (formatted.status !== 0) throw new Error(`biome format failed: ${formatted.stderr}`);
  return formatted.stdout;
};
