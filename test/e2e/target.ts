import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { type ApiClient, apiClient } from './client.js';

export interface E2eTarget {
  readonly url: string;
  /** True when the suite runs against the local stack it started itself. */
  readonly local: boolean;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /**
   * Scale of the Retry waits of a local stack started here: 1 is real timing, for a test that
   * depends on how long a retry waits. A deployment (E2E_API_URL) always runs at real timing.
   * @default 0.1
   */
  readonly retryIntervalScale?: number;
}

/**
 * The API the end-to-end suite drives: E2E_API_URL when set (a LocalStack or AWS deployment),
 * else a local stack started here, in memory, with Retry waits scaled down tenfold by default.
 */
export const startTarget = async (options: TargetOptions = {}): Promise<E2eTarget> => {
  const remote = process.env.E2E_API_URL;
  if (remote) return { url: remote.replace(/\/$/, ''), local: false, stop: async () => undefined };
  // Each test file synthesizes into a folder of its own: files run in parallel.
  const outdir = mkdtempSync(join(tmpdir(), 'e2e-cdk-'));
  const stack = await startLocalStack({
    port: 0,
    retryIntervalScale: options.retryIntervalScale ?? 0.1,
    outdir,
  });
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
 * it after; `api()` is its client.
 */
export const useTarget = (options: TargetOptions = {}): { api: () => ApiClient } => {
  let target: E2eTarget | undefined;
  let client: ApiClient | undefined;
  beforeAll(async () => {
    target = await startTarget(options);
    client = apiClient(target.url);
  }, 120_000);
  afterAll(() => target?.stop());
  return {
    api: () => {
      if (!client) throw new Error('the e2e target is not started yet');
      return client;
    },
  };
};
