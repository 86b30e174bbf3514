import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: handler entries are given relative to it, as in workflow definitions. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
