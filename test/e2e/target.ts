import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import type { DynamoEngine } from '../../infra/local/dynamodb-server.js';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { type ApiClient, apiClient } from './client.js';
import { expectInvariantsOfCreated, SETTLE_TIMEOUT_MS } from './invariants.js';

export interface E2eTarget {
  readonly url: string;
  /** True when the suite runs against the local stack it started itself. */
  readonly local: boolean;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /**
   * Handler configuration of a local stack started here, over the template's (e.g.
   * `RECOVERY_BASE_DELAY_SECONDS: '1'`, as `RECOVERY_BASE_DELAY_SECONDS=1 npm start` does). A
   * deployment (E2E_API_URL) keeps its own: a test that needs this is skipped there.
   */
  readonly environment?: Record<string, string>;
}

/**
 * The API the end-to-end suite drives: E2E_API_URL when set (a LocalStack or AWS deployment),
 * else a local stack started here, in memory, at real timing: Retry waits are what `npm start`
 * and AWS wait (1 s, 2 s, 4 s...), never scaled.
 */
export const startTarget = async (options: TargetOptions = {}): Promise<E2eTarget> => {
  const remote = process.env.E2E_API_URL;
  if (remote) return { url: remote.replace(/\/$/, ''), local: false, stop: async () => undefined };
  // Each test file synthesizes into a folder of its own: files run in parallel.
  const outdir = mkdtempSync(join(tmpdir(), 'e2e-cdk-'));
  // On the run's DynamoDB engine (DYNAMO_ENGINE=dynalite runs the suite on dynalite), a server of its own.
  const dynamoEngine = inject('dynamoEngine') as DynamoEngine;
  const stack = await startLocalStack({ port: 0, outdir, dynamoEngine });
  // What the host's RECOVERY_* variables would set; every invocation from now on reads them.
  if (options.environment) stack.app.configure(options.environment);
  return {
    url: stack.url,
    local: true,
    stop: async () => {
      await stack.stop();
    },
  };
};

/**
 * Starts the target before a test file's tests (or a describe block's, when called in one) and stops
 * it after; `api()` is its client. After each test, every workflow the test created through that
 * client must settle and keep the invariants (test/e2e/invariants.ts).
 */
export const useTarget = (options: TargetOptions = {}): { api: () => ApiClient; local: () => boolean } => {
  let target: E2eTarget | undefined;
  let client: ApiClient | undefined;
  beforeAll(async () => {
    target = await startTarget(options);
    client = apiClient(target.url);
  }, 120_000);
  afterEach(async () => {
    if (client) await expectInvariantsOfCreated(client);
  }, SETTLE_TIMEOUT_MS + 30_000);
  afterAll(() => target?.stop());
  return {
    api: () => {
      if (!client) throw new Error('the e2e target is not started yet');
      return client;
    },
    local: () => target?.local ?? !process.env.E2E_API_URL,
  };
};
