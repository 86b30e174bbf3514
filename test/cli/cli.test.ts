import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, unwrap } from '../../cli/client.js';
import { run } from '../../cli/main.js';
import { buildDataset, orchestrator } from '../../docs/examples/job-service.js';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

describe("README's job-service example", () => {
  it('is docs/examples/job-service.ts, and creates the workflow of a job once however often it runs', async () => {
    const source = readFileSync(join(REPO_ROOT, 'docs/examples/job-service.ts'), 'utf8');
    const shown = source.replace("'../../cli/client.js'", "'job-orchestrator/cli/client.js'");
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(
      `<!-- job-service-example:start -->\n\`\`\`ts\n${shown}\`\`\`\n<!-- job-service-example:end -->`,
    );
    const api = orchestrator(stack.url);
    const first = await buildDataset(api, 'readme-job');
    expect(first).toMatchObject({ jobId: 'readme-job', totalSteps: 5 });
    expect(['running', 'completed']).toContain(first.status);
    // A retried call (same Idempotency-Key, same body) answers the same workflow.
    expect((await buildDataset(api, 'readme-job')).workflowId).toBe(first.workflowId);
  });
});

describe('API client authentication', () => {
  const recorder = () => {
    const seen: Request[] = [];
    const fetch = async (request: Request) => {
      seen.push(request);
      return new Response('{"items":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    return { seen, fetch };
  };

  it('sends the API key in x-api-key', async () => {
    const { seen, fetch } = recorder();
    const api = createApiClient({
      url: 'https://api.example.com/dev',
      auth: { kind: 'apiKey', key: 'k-123' },
      fetch,
    });
    expect(await unwrap(api.GET('/definitions'))).toEqual({ items: [] });
    expect(seen[0]?.headers.get('x-api-key')).toBe('k-123');
    expect(seen[0]?.url).toBe('https://api.example.com/dev/definitions');
  });

  it('signs with SigV4 for execute-api in the region of the URL, body included', async () => {
    const { seen, fetch } = recorder();
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev';
    const api = createApiClient({ url, auth: { kind: 'iam' }, fetch });
    await api.POST('/workflows/{id}/recover', { params: { path: { id: 'x' } }, body: { reason: 'test' } });
    const signed = seen[0] as Request;
    expect(signed.headers.get('authorization')).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
    expect(signed.headers.get('x-amz-date')).toBeTruthy();
    expect(await signed.text()).toBe('{"reason":"test"}');
  });

  it('sends path parameters encoded, as the document describes them', async () => {
    const { seen, fetch } = recorder();
    const api = createApiClient({ url: 'http://127.0.0.1:1', fetch });
    await api.GET('/jobs/{jobId}/workflow', { params: { path: { jobId: 'a/b?c' } } });
    expect(seen[0]?.url).toBe('http://127.0.0.1:1/jobs/a%2Fb%3Fc/workflow');
  });

  it('turns an error answer into an ApiError with its body', async () => {
    const fetch = async () =>
      new Response('{"error":"NotFoundError","message":"Workflow not found: w"}', {
        status: 404,
        headers: { 'content-type': 'application/json' },
      });
    const api = createApiClient({ url: 'http://127.0.0.1:1', fetch });
    await expect(unwrap(api.GET('/workflows/{id}', { params: { path: { id: 'w' } } }))).rejects.toMatchObject(
      {
        name: 'ApiError',
        status: 404,
        body: { error: 'NotFoundError' },
      },
    );
  });
});
