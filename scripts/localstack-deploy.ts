import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  localstackApiUrl,
  localstackEnv,
  OUTPUTS_FILE,
  REPO_ROOT,
  requireLocalStack,
  writeOutputs,
} from './localstack-env.js';

/**
 * `npm run deploy:localstack`: bootstraps and deploys the same CDK app as AWS onto LocalStack with
 * cdklocal, then writes the API URL to .local/localstack-outputs.json for the e2e suite.
 */
await requireLocalStack();
// Loaded after the health check: the CDK app's modules take seconds to load.
const { stackName } = await import('../infra/build-app.js');
const stage = process.env.STAGE ?? 'dev';
const stack = stackName(stage);
const env = localstackEnv();
const cdkOutputs = resolve(REPO_ROOT, '.local/localstack-cdk-outputs.json');

const cdklocal = (...args: string[]) => {
  console.log(`$ cdklocal ${args.join(' ')}`);
  const result = spawnSync('npx', ['cdklocal', ...args], { cwd: REPO_ROOT, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

cdklocal('bootstrap', '--context', `stage=${stage}`);
rmSync(cdkOutputs, { force: true });
cdklocal(
  'deploy',
  stack,
  '--context',
  `stage=${stage}`,
  '--require-approval',
  'never',
  '--outputs-file',
  cdkOutputs,
);

const outputs =
  (JSON.parse(readFileSync(cdkOutputs, 'utf8')) as Record<string, Record<string, string>>)[stack] ?? {};
const endpoint = Object.entries(outputs).find(([key]) => /ApiEndpoint/.test(key))?.[1];
if (!endpoint) {
  console.error(`The stack has no API endpoint output (got ${Object.keys(outputs).join(', ')})`);
  process.exit(1);
}
const apiUrl = localstackApiUrl(endpoint);
writeOutputs({ apiUrl, stackName: stack, outputs });
console.log(`\nDeployed ${stack} to LocalStack.\n  API: ${apiUrl}\n  outputs: ${OUTPUTS_FILE}`);
