import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/client.js';
import { run } from '../../cli/main.js';
import { REPO_ROOT } from '../../infra/lambda.js';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';

let stack: LocalStack;
beforeAll(async () => {
  // In memory, on a free port, synthesized into a folder of its own (other files synthesize too).
  stack = await startLocalStack({
    port: 0,
    retryIntervalScale: 0.05,
    outdir: mkdtempSync(join(tmpdir(), 'cli-cdk-')),
  });
}, 120_000);
afterAll(() => stack?.stop());

/** Runs one command line in-process against the test stack: exit code and printed text. */
const cli = async (...args: string[]) => {
  const lines: string[] = [];
  process.exitCode = undefined;
  const code = await run(['--url', stack.url, ...args], (text) => lines.push(text));
  process.exitCode = undefined;
  return { code, text: lines.join('\n') };
};
const idOf = (text: string) => text.split(/\s+/)[0] as string;
const dataset = JSON.stringify({ dataset: { items: 20, seed: 3 } });

describe('job-orchestrator CLI against the local stack', () => {
  it('submits and starts a workflow, watches it to the end, and shows its status with every task', async () => {
    const submitted = await cli('submit', 'dataset-smoke', 'cli-job-1', '--metadata', dataset, '--start');
    expect(submitted.code).toBe(0);
    expect(submitted.text).toMatch(/^\w{26} {2}running$/);
    const id = idOf(submitted.text);

    expect((await cli('watch', id, '--interval', '100')).code).toBe(0);

    const status = await cli('status', id);
    expect(status.code).toBe(0);
    expect(status.text).toContain('completed');
    expect(status.text).toContain('100%');
    expect(status.text).toContain('█'.repeat(24));
    for (const step of ['download', 'validate', 'deduplicate', 'label', 'package'])
      expect(status.text).toContain(step);
    expect(status.text).toMatch(/#\s+task\s+type\s+status\s+attempts/);

    const listed = await cli('list', '--job', 'cli-job-1');
    expect(listed.text).toContain(id);
    expect((await cli('list', '--status', 'completed', '--json')).text).toContain(id);
  });

  it('pauses, resumes and cancels a workflow', async () => {
    const slow = JSON.stringify({ dataset: { items: 20, seed: 4 }, faults: { download: { delayMs: 1500 } } });
    const id = idOf((await cli('submit', 'dataset-smoke', 'cli-job-2', '--metadata', slow, '--start')).text);
    expect((await cli('pause', id)).text).toBe(`${id}  paused`);
    expect((await cli('resume', id)).text).toBe(`${id}  running`);
    expect((await cli('cancel', id)).text).toBe(`${id}  cancelled`);
    expect((await cli('status', id)).text).toContain('cancelled');
    // A script waiting on `watch` learns that the workflow did not complete from the exit code.
    expect((await cli('watch', id)).code).toBe(2);
  });

  it('recovers a failed workflow from a chosen step', async () => {
    // Automatic recovery off for this workflow, so the manual recovery is the one that runs.
    const fatal = JSON.stringify({
      dataset: { items: 20, seed: 5 },
      faults: { package: { fatal: true } },
      autoRecovery: false,
    });
    const id = idOf((await cli('submit', 'dataset-smoke', 'cli-job-3', '--metadata', fatal, '--start')).text);
    expect((await cli('watch', id, '--interval', '100')).code).toBe(2);
    expect((await cli('list', '--view', 'recoverable')).text).toContain(id);
    // --skip is repeatable: both names reach the API, which refuses the unknown one first.
    const skipped = await cli('recover', id, '--skip', 'nope', '--skip', 'download');
    expect(skipped.code).toBe(1);
    expect(skipped.text).toContain('unknown step "nope"');
    const recovered = await cli('recover', id, '--from-step', 'label', '--reason', 'cli test');
    // label and what depends on it (package); deduplicate, its completed sibling, is kept.
    expect(recovered).toEqual({ code: 0, text: `${id}  running\nre-running: label, package` });
    const { workflow } = JSON.parse((await cli('--json', 'status', id)).text);
    expect(workflow.recoveryAttempts).toBe(1);
  });

  it('reports API errors and bad input with a message and exit code 1', async () => {
    const missing = await cli('status', '01HZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(missing.code).toBe(1);
    expect(missing.text).toMatch(/^error: 404 NotFound/);
    const badDefinition = await cli('submit', 'no-such-definition', 'job');
    expect(badDefinition.code).toBe(1);
    expect(badDefinition.text).toContain('definition must be one of');
    const badJson = await cli('submit', 'dataset-smoke', 'job', '--metadata', '{nope');
    expect(badJson.code).not.toBe(0);
    expect(badJson.text).toContain('must be a JSON object');
    expect((await cli('list')).text).toBe('error: give --view, --status or --job');
  });

  it('reaches the API through the bin shim as an installed command would', async () => {
    const { stdout } = await promisify(execFile)(
      'node',
      [join(REPO_ROOT, 'cli/bin.js'), '--url', stack.url, 'list', '--view', 'active'],
      {
        timeout: 20_000,
      },
    );
    expect(stdout).toMatch(/no workflows|workflow/);
  });
});

describe('API client authentication', () => {
  const recorder = () => {
    const seen: Record<string, string>[] = [];
    const fetch = (async (_url: URL, init: RequestInit) => {
      seen.push(init.headers as Record<string, string>);
      return new Response('{"items":[]}', { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    return { seen, fetch };
  };

  it('sends the API key in x-api-key', async () => {
    const { seen, fetch } = recorder();
    await new ApiClient({
      url: 'https://api.example.com/dev',
      auth: { kind: 'apiKey', key: 'k-123' },
      fetch,
    }).get('/definitions');
    expect(seen[0]?.['x-api-key']).toBe('k-123');
  });

  it('signs with SigV4 for execute-api in the region of the URL', async () => {
    const { seen, fetch } = recorder();
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev';
    await new ApiClient({ url, auth: { kind: 'iam' }, fetch }).post('/workflows/x/pause');
    expect(seen[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
    expect(seen[0]?.['x-amz-date']).toBeDefined();
  });
});
