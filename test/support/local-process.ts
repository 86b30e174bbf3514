import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../infra/local/free-port.js';
import { REPO_ROOT } from '../../infra/repo-root.js';

/*
 * `npm start` as a person runs it, for the tests and benches that watch it, stop it (Ctrl-C), kill
 * it (kill -9) and start it again: test/e2e/restart, chaos-restart and watch tests, bench local-start.
 */

/** What `npm start` prints once it serves. */
export const READY_LINE = 'job-orchestrator is running';

/** Process groups started here: whatever a failed test leaves running is killed by `killLeftovers`. */
const groups = new Set<ChildProcess>();

/** `npm start`'s script (`tsx infra/local/start.ts`), with the tsx of node_modules/.bin. */
const startScript = (root: string): [string, ...string[]] => {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const [bin, ...args] = String(scripts.start).split(' ');
  return [join(root, 'node_modules', '.bin', bin as string), ...args];
};

export interface LocalProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the output has `text` after its first `from` characters. */
  waitForOutput(text: string, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** When its API first answered (epoch ms): polled from the spawn on. */
  readonly apiAnsweredAt: number;
  /** When it printed that it is running (epoch ms): its start, repairs included, is over. */
  readonly readyAt: number;
  /** The DynamoDB endpoint its banner names. */
  readonly dynamoEndpoint: string | undefined;
  /** Ctrl-C in its terminal; resolves with the exit code. */
  interrupt(): Promise<number | null>;
  /** `kill -9` of its whole process group. */
  kill(): Promise<number | null>;
}

const answers = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/definitions`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
};

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
      return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    process.kill(-child.pid, signal);
  });

/** Ctrl-C in that terminal: SIGINT to every process of the group, not to one of them. */
export const interrupt = (child: ChildProcess) => signalGroup(child, 'SIGINT');

/** `kill -9 -<pgid>`: every process of the group dies at once, with no chance to record anything. */
export const killGroup = (child: ChildProcess) => signalGroup(child, 'SIGKILL');

/**
 * `npm start -- <args>` as a terminal runs a command line: in a process group of its own (detached),
 * which every process it starts (tsx's loader, esbuild, the DynamoDB guard) shares unless it leaves
 * it, so a signal reaches all of them at once. npm itself is left out: on Ctrl-C it ends by the
 * signal whatever the stack does, so its exit says nothing. `root` is the repository to run (a copy,
 * for a test that edits sources). Resolves once it serves.
 */
export const startLocalProcess = async (
  args: readonly string[],
  options: { root?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<LocalProcess> => {
  const root = options.root ?? REPO_ROOT;
  const port = await freePort();
  const [command, ...script] = startScript(root);
  const child = spawn(command, [...script, ...args, '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...options.env },
  });
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  let output = '';
  const collect = (chunk: unknown) => {
    output += String(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const waitForOutput: LocalProcess['waitForOutput'] = async (
    text,
    { from = 0, timeoutMs = 60_000 } = {},
  ) => {
    for (const deadline = Date.now() + timeoutMs; !output.includes(text, from); ) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no "${text}" from the local stack:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const url = `http://127.0.0.1:${port}`;
  let apiAnsweredAt: number | undefined;
  for (const deadline = Date.now() + (options.timeoutMs ?? 120_000); !output.includes(READY_LINE); ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await killGroup(child);
      throw new Error(`local stack did not start:\n${output}`);
    }
    if (apiAnsweredAt === undefined && (await answers(url))) apiAnsweredAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const readyAt = Date.now();
  return {
    url,
    child,
    output: () => output,
    waitForOutput,
    apiAnsweredAt: apiAnsweredAt ?? readyAt,
    readyAt,
    dynamoEndpoint: /DynamoDB: \S+ at (http:\/\/[\w.:]+)/.exec(output)?.[1],
    interrupt: () => interrupt(child),
    kill: () => killGroup(child),
  };
};

/** `npm start` without the demo on a data folder of the test, as the restart tests run it. */
export const startStack = (dataDir: string, env: Record<string, string> = {}): Promise<LocalProcess> =>
  startLocalProcess(['--no-demo', '--data-dir', dataDir], { env });

/** Whether something accepts TCP connections at `endpoint` (http://host:port). */
export const listening = (endpoint: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(endpoint);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });

/** For afterAll: kills every process group a test of the file left running. */
export const killLeftovers = () => {
  for (const child of groups)
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
};
