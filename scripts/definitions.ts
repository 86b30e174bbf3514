import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_PATH, renderCatalog } from '../state-machines/catalog.js';

/** `npm run definitions`: regenerates the runtime's definition catalog from state-machines/definitions. */
const path = resolve(fileURLToPath(new URL('..', import.meta.url)), CATALOG_PATH);
writeFileSync(path, renderCatalog());
console.log(`wrote ${path}`);
