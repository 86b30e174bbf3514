import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/localstack-env.js';

/** Runs a LocalStack script as npm would (tsx), with nothing listening on LocalStack's port. */
const runScript = (script: string) => {
  const { AWS_ENDPOINT_URL: _ignored, ...env } = process.env;
  const started = Date.now();
  const result = spawnSync('node', ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { ...result, seconds: (Date.now() - started) / 1000 };
};

describe('LocalStack scripts without LocalStack', () => {
  for (const script of ['scripts/localstack-deploy.ts', 'scripts/localstack-e2e.ts']) {
    it(`${script} says LocalStack is not reachable and exits non-zero within seconds`, () => {
      const result = runScript(script);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('LocalStack is not reachable at http://localhost:4566');
      expect(result.stderr).toContain('docker compose -f localstack/docker-compose.yml up -d');
      expect(result.seconds).toBeLessThan(8);
    });
  }
});
