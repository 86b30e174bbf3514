#!/usr/bin/env node
// The `job-orchestrator` command: runs cli/main.ts through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2));
