#!/usr/bin/env node
/**
 * Builds the web console: vite bundles console/index.html and console/src/ (preact, dagre) into
 * console/dist/ (git-ignored), served at /console by the local stack and by
 * `job-orchestrator console`. Run by `npm ci` (the `prepare` script), `npm run build:console`, and
 * by the local stack when the sources are newer than the build (ensureConsoleBuilt).
 *
 * Where vite (a devDependency) is not installed, an existing build is kept.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_ROOT = fileURLToPath(new URL('.', import.meta.url));
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

/** The newest modification time of a file or of any file under a folder. */
const newest = (path) => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
};

/** True when console/dist was built after every edit of the console's sources. */
export const consoleIsCurrent = () => {
  const built = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(built)) return false;
  const sources = ['index.html', 'src', 'build.js'].map((name) => newest(join(CONSOLE_ROOT, name)));
  return statSync(built).mtimeMs >= Math.max(...sources);
};

/** Bundles the console into console/dist (about a second). */
export const buildConsole = async () => {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: CONSOLE_ROOT,
    // Served under /console by both servers; assets are referenced relative to it.
    base: '/console/',
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { outDir: CONSOLE_DIST, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  });
};

/** Builds the console unless its build is current. */
export const ensureConsoleBuilt = async () => {
  if (!consoleIsCurrent()) await buildConsole();
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await import('vite');
  } catch {
    if (existsSync(join(CONSOLE_DIST, 'index.html'))) process.exit(0);
    console.error('console/build.js: vite is not installed (a devDependency): cannot build the console');
    process.exit(process.env.npm_lifecycle_event === 'prepare' ? 0 : 1);
  }
  await buildConsole();
}
