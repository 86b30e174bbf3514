#!/usr/bin/env node
/**
 * Builds the `job-orchestrator` command: esbuild bundles cli/main.ts (and the repository modules it
 * imports) into cli/dist/main.js (git-ignored), run by cli/bin.js with plain node. Packages stay
 * imports (`dependencies`: commander, openapi-fetch, and the SigV4 signer loaded only for --iam).
 *
 * Run by `npm ci`/`npm install` (the `prepare` script), by `npm run cli` before each command and by
 * `npm run build:cli`. Where esbuild (a devDependency) is not installed, an existing build is kept
 * (and `npm ci --omit=dev` still installs, with a warning).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = fileURLToPath(new URL('./dist/main.js', import.meta.url));

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  if (existsSync(outfile)) process.exit(0);
  console.error('cli/build.js: esbuild is not installed (a devDependency): cannot build the CLI');
  // An install without devDependencies goes on (the bin says it is not built); a build asked for fails.
  process.exit(process.env.npm_lifecycle_event === 'prepare' ? 0 : 1);
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
