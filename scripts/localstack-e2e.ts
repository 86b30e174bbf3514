import { spawnSync } from 'node:child_process';
import { localstackEnv, REPO_ROOT, readOutputs, requireLocalStack } from './localstack-env.js';

/**
 * `npm run test:e2e:localstack`: the e2e suite (test/e2e) against the API that
 * `npm run deploy:localstack` deployed, via E2E_API_URL. Extra arguments go to vitest.
 */
await requireLocalStack();
const { apiUrl } = readOutputs();
console.log(`e2e suite against ${apiUrl}`);
const result = spawnSync('npx', ['vitest', 'run', 'test/e2e', ...process.argv.slice(2)], {
  cwd: REPO_ROOT,
  env: { ...localstackEnv(), E2E_API_URL: process.env.E2E_API_URL ?? apiUrl },
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
