import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../infra/local/dynamodb-server.js';
import { REPO_ROOT } from '../../infra/repo-root.js';

/*
 * `npm start` as a person runs it, for the tests that stop it (Ctrl-C) or kill it (kill -9) and start
 * it again on the same data: restart.test.ts, chaos-restart.test.ts.
 */

/** Process groups started here: whatever a failed test leaves running is killed by `killLeftovers`. */
const groups = new Set<ChildProcess>();

/** What `npm start` runs (its script: `tsx infra/local/start.ts`), with the tsx of node_modules/.bin. */
const startScript = (): [string, ...string[]] => {
  const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const [bin, ...args] = String(scripts.start).split(' ');
  return [join(REPO_ROOT, 'node_modules', '.bin', bin as string), ...args];
};

export interface LocalProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** When its API first answered (epoch ms): polled from the spawn on. */
  readonly apiAnsweredAt: number;
  /** When it printed that it is running (epoch ms): its start, repairs included, is over. */
  readonly readyAt: number;
  /** The DynamoDB endpoint its banner names. */
  readonly dynamoEndpoint: string | undefined;
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

/**
 * `npm start`'s node process on a data folder of this test, as a terminal runs a command line: in a
 * process group of its own (detached), which every process it starts (tsx's loader, esbuild, the
 * DynamoDB guard) shares unless it leaves it, so Ctrl-C reaches all of them at once. npm itself is
 * left out: on Ctrl-C it ends by the signal whatever the stack does, so its exit says nothing.
 */
export const startStack = async (
  dataDir: string,
  env: Record<string, string> = {},
): Promise<LocalProcess> => {
  const port = await freePort();
  const [command, ...args] = startScript();
  const child = spawn(command, [...args, '--no-demo', '--port', String(port), '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
  });
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  let output = '';
  const collect = (chunk: unknown) => {
    output += String(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  let apiAnsweredAt: number | undefined;
  for (const deadline = Date.now() + 90_000; !output.includes('job-orchestrator is running'); ) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`local stack did not start:\n${output}`);
    if (apiAnsweredAt === undefined && (await answers(url))) apiAnsweredAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const readyAt = Date.now();
  const dynamoEndpoint = /DynamoDB: \S+ at (http:\/\/[\w.:]+)/.exec(output)?.[1];
  return {
    url,
    child,
    output: () => output,
    apiAnsweredAt: apiAnsweredAt ?? readyAt,
    readyAt,
    dynamoEndpoint,
  };
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
