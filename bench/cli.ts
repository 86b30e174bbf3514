import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createApiClient, unwrap } from '../cli/client.js';
import { startLocalStack } from '../infra/local/local-stack.js';
import { REPO_ROOT } from '../infra/repo-root.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { median, round } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
const BIN = resolve(REPO_ROOT, 'cli/bin.js');
const exec = promisify(execFile);

/**
 * Wall time of one command line in a fresh `node` process, as a terminal would run it (process
 * start included). Asynchronous, so a stack served by this process keeps answering meanwhile.
 */
const wallMs = async (args: readonly string[]): Promise<number> => {
  const began = performance.now();
  await exec(process.execPath, [...args], { cwd: REPO_ROOT, timeout: 30_000 });
  return performance.now() - began;
};

const measure = async (label: string, args: readonly string[]): Promise<Row> => {
  await wallMs(args); // warm the file system cache: every figure is a warm start
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await wallMs(args));
  const p50 = median(runs);
  return {
    command: label,
    'p50 ms': round(p50, 0),
    'min ms': round(Math.min(...runs), 0),
    'max ms': round(Math.max(...runs), 0),
  };
};

/**
 * `npm run bench -- cli`: how long the `job-orchestrator` command takes, as built (cli/dist, plain
 * node), against the source run through tsx (what the bin did before it was built) and a bare
 * `node`; then `definitions`, `list` and `status` (full id and prefix) against a local stack started
 * here. Prints figures; asserts nothing.
 */
export const runCli = async () => {
  const built = spawnSync(process.execPath, [resolve(REPO_ROOT, 'cli/build.js')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cli/build.js failed: ${built.stderr}`);
  const source = pathToFileURL(resolve(REPO_ROOT, 'cli/main.ts')).href;
  const throughTsx = (argv: string[]) => [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    `const { run } = await import(${JSON.stringify(source)}); process.exitCode = await run(${JSON.stringify(argv)});`,
  ];

  const rows: Row[] = [];
  rows.push(await measure('node -e 0 (baseline: process start)', ['-e', '0']));
  rows.push(await measure('job-orchestrator --help', [BIN, '--help']));
  rows.push(await measure('job-orchestrator --version', [BIN, '--version']));
  rows.push(await measure('source through tsx --help (the bin before the build)', throughTsx(['--help'])));

  const stack = await startLocalStack({ port: 0, outdir: mkdtempSync(join(tmpdir(), 'bench-cli-cdk-')) });
  try {
    const api = createApiClient({ url: stack.url });
    const workflow = await unwrap(
      api.POST('/workflows', { body: { definition: 'dataset-smoke', jobId: 'bench-cli', start: false } }),
    );
    const id = workflow.workflowId;
    const at = ['--url', stack.url];
    rows.push(await measure('job-orchestrator definitions', [BIN, ...at, 'definitions']));
    rows.push(await measure('job-orchestrator list (recent)', [BIN, ...at, 'list']));
    rows.push(await measure('job-orchestrator status <id>', [BIN, ...at, 'status', id]));
    rows.push(await measure('job-orchestrator status <prefix>', [BIN, ...at, 'status', id.slice(0, 16)]));
    rows.push(await measure('source through tsx status <id>', throughTsx([...at, 'status', id])));
  } finally {
    await stack.stop();
  }

  printTable(
    `cli — wall time of one command line in a fresh node ${process.version} process, median of ${RUNS} (warm file cache; status against a local stack in this process)`,
    rows,
  );
  writeResult('cli', { runs: RUNS, rows });
  return rows;
};
