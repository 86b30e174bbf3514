import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createApiClient, unwrap } from '../../cli/client.js';
import { etaText } from '../../cli/eta.js';
import { statusLine } from '../../cli/format.js';
import { run } from '../../cli/main.js';
import { buildDataset, orchestrator } from '../../docs/examples/job-service.js';
import { idOf, useLocalCli } from './local-cli.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const local = useLocalCli('cli');
const { cli } = local;
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
    expect(status.text.split('\n')[0]).toBe(`${id}  dataset-smoke  job cli-job-1`);
    expect(status.text).toContain('completed');
    expect(status.text).toContain('100%');
    expect(status.text).toContain('█'.repeat(24));
    expect(status.text).not.toContain('ETA');
    for (const step of ['download', 'validate', 'deduplicate', 'label', 'package'])
      expect(status.text).toContain(step);
    expect(status.text).toMatch(/#\s+task\s+type\s+status\s+attempts/);

    const listed = await cli('list', '--job', 'cli-job-1');
    expect(listed.text).toContain(id);
    expect((await cli('list', '--status', 'completed', '--json')).text).toContain(id);
    // --json on every command: the API's answers as they came.
    const watched = JSON.parse((await cli('--json', 'watch', id)).text);
    expect(watched).toMatchObject([{ workflowId: id, status: 'completed', progress: 100, eta: null }]);
    const submittedJson = await cli('submit', 'dataset-smoke', 'cli-job-1b', '--json');
    expect(JSON.parse(submittedJson.text)).toMatchObject({ jobId: 'cli-job-1b', status: 'pending' });
    const started = JSON.parse(
      (await cli('start', JSON.parse(submittedJson.text).workflowId, '--json')).text,
    );
    expect(started).toMatchObject({ jobId: 'cli-job-1b', status: 'running' });
  });

  it("shows a fan-out step's items, and lists its failed items with `items`", async () => {
    // 2 of 50 downloads fail every attempt (4 %, within the step's 5 %): the workflow completes.
    const metadata = JSON.stringify({
      dataset: { items: 50, seed: 5 },
      faults: { download: { failItems: { rate: 0.04, count: 100 } } },
    });
    const id = idOf(
      (await cli('submit', 'dataset-smoke', 'cli-fan-out', '--metadata', metadata, '--start')).text,
    );
    expect((await cli('watch', id, '--interval', '100')).code).toBe(0);
    const status = await cli('status', id);
    expect(status.text).toMatch(/#\s+task\s+type\s+status\s+attempts\s+retries\s+duration\s+items\s+error/);
    expect(status.text).toMatch(/\n1\s+download\s+download\s+completed\s.*\s50\/50 \(2 failed\)/);
    const failed = await cli('items', id, 'download', '--status', 'failed');
    expect(failed.code).toBe(0);
    const [header, ...rows] = failed.text.split('\n');
    expect(header).toMatch(/^index\s+status\s+attempts\s+error$/);
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ['24', 'failed', '3'],
      ['49', 'failed', '3'],
    ]);
    expect(rows[0]).toContain('injected failure of item 24');
    const json = JSON.parse((await cli('--json', 'items', id, 'download', '--limit', '10')).text);
    expect(json.items.map((item: { index: number }) => item.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(json.nextCursor).toEqual(expect.any(String));
    const notFanOut = await cli('items', id, 'label');
    expect(notFanOut.code).toBe(1);
    expect(notFanOut.error).toMatch(/^400 ValidationError: step "label" is not a fan-out step/);
  });

  it('lists the definitions with their versions and steps', async () => {
    const text = (await cli('definitions')).text;
    expect(text).toMatch(/^dataset-smoke {2}version \S+ {2}6 steps/m);
    expect(text).toMatch(/#\s+step\s+type\s+after\s+retries\s+timeout\s+estimate/);
    expect(text).toMatch(/5\s+package\s+package\s+deduplicate,label\s/);
    const { items } = JSON.parse((await cli('definitions', '--json')).text);
    expect(items.map((d: { name: string }) => d.name)).toContain('dataset-smoke');
  });

  it('lists the recent workflows when given no filter, full ids newest first', async () => {
    const first = idOf((await cli('submit', 'dataset-smoke', 'cli-recent-1')).text);
    const second = idOf((await cli('submit', 'dataset-smoke', 'cli-recent-2')).text);
    const listed = await cli('list');
    expect(listed.code).toBe(0);
    const rows = listed.text.split('\n');
    expect(rows[0]).toMatch(/^workflow\s+job\s+definition\s+status\s+progress\s+created$/);
    expect(rows[1]?.startsWith(`${second}  cli-recent-2`)).toBe(true);
    expect(rows[2]?.startsWith(`${first}  cli-recent-1`)).toBe(true);
    // A page at a time: the rest is where the listing printed it would go on.
    const paged = await cli('list', '--limit', '1');
    expect(paged.text).toContain(second);
    expect(paged.text).not.toContain(first);
    const more = /^more: list --day (\S+) --cursor (\S+)$/m.exec(paged.text);
    expect(more?.[1]).toBe(new Date().toISOString().slice(0, 10));
    const next = await cli(
      'list',
      '--day',
      more?.[1] as string,
      '--cursor',
      more?.[2] as string,
      '--limit',
      '1',
    );
    expect(next.text).toContain(first);
    const json = JSON.parse((await cli('list', '--json')).text);
    expect(json.items[0]).toMatchObject({ workflowId: second, jobId: 'cli-recent-2' });
    expect((await cli('list', '--day', 'today')).text).toContain(first);
  });

  it('takes a unique start of a workflow id, and names the candidates of an ambiguous one', async () => {
    const id = idOf((await cli('submit', 'dataset-smoke', 'cli-prefix-1')).text);
    const status = await cli('status', id.slice(0, 20).toLowerCase());
    expect(status.code).toBe(0);
    expect(status.text.split('\n')[0]).toBe(`${id}  dataset-smoke  job cli-prefix-1`);
    expect((await cli('cancel', id.slice(0, 22))).text).toBe(`${id}  cancelled`);

    const ambiguous = await cli('status', id.slice(0, 1));
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.error).toMatch(
      new RegExp(`^error: "${id.slice(0, 1)}" is ambiguous: \\d+ recent workflows`),
    );
    expect(ambiguous.error).toContain(`  ${id}  cancelled  cli-prefix-1`);
    const unknown = await cli('watch', 'ZZZZ');
    expect(unknown.code).toBe(1);
    expect(unknown.error).toMatch(
      /^error: no recent workflow \(created \S+ or \S+ UTC\) has an id starting with "ZZZZ"/,
    );
  });

  it('pauses, resumes and cancels a workflow; a paused workflow shows no moving ETA', async () => {
    const slow = JSON.stringify({ dataset: { items: 20, seed: 4 }, faults: { download: { delayMs: 1500 } } });
    const id = idOf((await cli('submit', 'dataset-smoke', 'cli-job-2', '--metadata', slow, '--start')).text);
    expect((await cli('status', id)).text.split('\n')[1]).toMatch(
      /^running .*ETA \d\d:\d\d:\d\d \(in (\d+s|\d+m \d\ds)\)$/,
    );
    expect((await cli('pause', id)).text).toBe(`${id}  paused`);
    const paused = (await cli('status', id)).text.split('\n')[1];
    expect(paused).toMatch(/^paused .*ETA paused$/);
    expect((await cli('status', id)).text.split('\n')[1]).toBe(paused);
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
    expect(skipped.error).toContain('unknown step "nope"');
    const recovered = await cli('recover', id, '--from-step', 'label', '--reason', 'cli test');
    // label and what depends on it (package); deduplicate, its completed sibling, is kept.
    expect(recovered).toEqual({ code: 0, text: `${id}  running\nre-running: label, package`, error: '' });
    const { workflow } = JSON.parse((await cli('--json', 'status', id)).text);
    expect(workflow.recoveryAttempts).toBe(1);
  });

  it('prints API errors as "<status> <error>: <message>" with exit code 1, never a stack', async () => {
    const missing = await cli('status', '01HZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(missing).toMatchObject({ code: 1, text: '' });
    expect(missing.error).toMatch(/^404 NotFoundError: \S.*$/);
    const badDefinition = await cli('submit', 'no-such-definition', 'job');
    expect(badDefinition.code).toBe(1);
    expect(badDefinition.error).toMatch(/^400 ValidationError: /);
    expect(badDefinition.error).toContain('definition must be one of');
    expect(badDefinition.error).not.toMatch(/\n\s+at /);
    const badDay = await cli('list', '--day', '2025-13-45', '--status', 'failed');
    expect(badDay.code).toBe(1);
    expect(badDay.error).toMatch(/^400 ValidationError: /);
    const unreachable = await run(['--url', 'http://127.0.0.1:1', 'definitions'], {
      out: () => {},
      err: (text) => expect(text).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1 /),
    });
    expect(unreachable).toBe(1);
  });

  it('answers a usage error with the usage and exit code 64, and --help and --version with 0', async () => {
    const badJson = await cli('submit', 'dataset-smoke', 'job', '--metadata', '{nope');
    expect(badJson.code).toBe(64);
    expect(badJson.error).toContain('must be a JSON object');
    const unknownFlag = await cli('list', '--frob');
    expect(unknownFlag).toMatchObject({ code: 64, text: '' });
    expect(unknownFlag.error).toMatch(/^error: unknown option '--frob'/);
    expect(unknownFlag.error).toContain('Usage: job-orchestrator list [options]');
    const unknownCommand = await cli('frob');
    expect(unknownCommand.code).toBe(64);
    expect(unknownCommand.error).toMatch(/^error: unknown command 'frob'/);
    expect(unknownCommand.error).toContain('Usage: job-orchestrator [options] [command]');
    expect((await cli('status')).error).toMatch(/^error: missing required argument 'workflowId'/);
    expect((await cli('list', '--cursor', 'x')).code).toBe(64);
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['definitions', 'submit', 'status', 'watch', 'recover', 'list', 'Exit codes'])
      expect(help.text).toContain(command);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(await cli('--version')).toEqual({ code: 0, text: version, error: '' });
  });

  it('runs built, through the bin, with plain node: no TypeScript loader at run time', async () => {
    const exec = promisify(execFile);
    await exec('node', [join(REPO_ROOT, 'cli/build.js')], { timeout: 60_000 });
    const bundle = readFileSync(join(REPO_ROOT, 'cli/dist/main.js'), 'utf8');
    const imported = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    const dependencies = Object.keys(
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).dependencies,
    );
    // A specifier names its package, then maybe a subpath (`zod/mini`, `@scope/pkg/sub`).
    const packageOf = (specifier: string) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
    for (const name of imported)
      expect(name?.startsWith('node:') || dependencies.includes(packageOf(name as string)), `${name}`).toBe(
        true,
      );
    const bin = join(REPO_ROOT, 'cli/bin.js');
    const { stdout } = await exec('node', [bin, '--url', local.stack().url, 'list', '--view', 'active'], {
      timeout: 20_000,
    });
    expect(stdout).toMatch(/no workflows|workflow/);
    const failed = await exec('node', [
      bin,
      '--url',
      local.stack().url,
      'status',
      '01HZZZZZZZZZZZZZZZZZZZZZZZ',
    ]).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(failed.stderr).toMatch(/^404 NotFoundError: [^\n]*\n$/);
  });
});

describe('the ETA as the terminal shows it', () => {
  const now = new Date(2026, 0, 1, 14, 30, 0);
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

  it('shows the absolute time and the time left', () => {
    expect(etaText({ status: 'running', eta: at(80) }, now)).toBe('ETA 14:31:20 (in 1m 20s)');
    expect(etaText({ status: 'recovering', eta: at(7) }, now)).toBe('ETA 14:30:07 (in 7s)');
    expect(etaText({ status: 'running', eta: at(2 * 3600 + 7 * 60) }, now)).toBe('ETA 16:37:00 (in 2h 07m)');
    expect(etaText({ status: 'running', eta: at(-3) }, now)).toBe('ETA 14:29:57 (due now)');
    expect(etaText({ status: 'running', eta: at(86_400) }, now)).toBe('ETA 2026-01-02 14:30:00 (in 24h 00m)');
  });

  it('shows paused while paused, whatever the answer carries, and nothing without an estimate', () => {
    expect(etaText({ status: 'paused', eta: at(80) }, now)).toBe('ETA paused');
    expect(etaText({ status: 'paused', eta: null }, now)).toBe('ETA paused');
    expect(etaText({ status: 'running', eta: null }, now)).toBe('');
    expect(etaText({ status: 'completed', eta: null }, now)).toBe('');
  });

  it('is the same in the status headline', () => {
    const progress = { status: 'running' as const, progress: 40, currentStep: 2, totalSteps: 5, eta: at(80) };
    expect(statusLine(progress, now)).toBe(
      `running     ▕${'█'.repeat(10)}${'░'.repeat(14)}▏ 40%  2/5 steps  ETA 14:31:20 (in 1m 20s)`,
    );
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
    const api = orchestrator(local.stack().url);
    const first = await buildDataset(api, 'readme-job');
    expect(first).toMatchObject({ jobId: 'readme-job', totalSteps: 6 });
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

  it('sends a GET answered 503 with Retry-After again, and gives up after 3 retries', async () => {
    const answers = [503, 503, 200];
    const seen: Request[] = [];
    const fetch = async (request: Request) => {
      seen.push(request);
      const status = answers.shift() ?? 503;
      return new Response(
        status === 200 ? '{"items":[]}' : '{"error":"ServiceUnavailable","message":"busy"}',
        {
          status,
          headers: { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '0' } : {}) },
        },
      );
    };
    const api = createApiClient({ url: 'http://127.0.0.1:1', fetch });
    expect(await unwrap(api.GET('/definitions'))).toEqual({ items: [] });
    expect(seen).toHaveLength(3);
    seen.length = 0;
    await expect(unwrap(api.GET('/definitions'))).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(4);
    // A POST is never sent twice by the client: the caller decides (with an Idempotency-Key).
    answers.push(503);
    seen.length = 0;
    await expect(
      unwrap(api.POST('/workflows/{id}/pause', { params: { path: { id: 'w' } } })),
    ).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
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
