import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../repo-root.js';

let registered = false;
let generations = 0;

/**
 * Lets a generation above 0 load a new copy of the project's own modules
 * (infra/local/reload-hooks.mjs). Only `npm start -- --watch` needs it: everything else imports once.
 */
export const enableFreshImports = (): void => {
  if (registered) return;
  register('./reload-hooks.mjs', import.meta.url);
  registered = true;
};

/** A new generation number: one counter per process, so two copies are never mixed up. */
export const nextGeneration = (): number => {
  if (!registered) throw new Error('fresh imports are not enabled (enableFreshImports)');
  return ++generations;
};

/**
 * The URL to import a module of this repository by (a path from its root, or absolute) in a
 * generation: 0 is the ordinary, shared copy; above 0 a copy of its own code for that generation.
 */
export const moduleUrl = (path: string, generation = 0): string => {
  const url = pathToFileURL(resolve(REPO_ROOT, path));
  if (generation > 0) url.searchParams.set('generation', String(generation));
  return url.href;
};
