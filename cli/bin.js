#!/usr/bin/env node
// The `job-orchestrator` command: runs the build of cli/main.ts (cli/dist, written by cli/build.js
// on `npm ci`), with plain node: nothing at run time needs a devDependency.
let run;
try {
  ({ run } = await import('./dist/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js')) throw error;
  console.error('job-orchestrator: the CLI is not built (cli/dist): run `npm run build:cli`');
  process.exit(1);
}
process.exitCode = await run(process.argv.slice(2));
