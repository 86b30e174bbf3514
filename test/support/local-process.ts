import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../infra/local/dynamodb-server.js';
import { REPO_ROOT } from '../../infra/repo-root.js';

/** What `npm start` prints once it serves. */
export const READY_LINE = 'job-orchestrator is running';

/** `npm start`'s script (`tsx infra/local/start.ts`), with the tsx of node_modules/.bin. */
export const startScript = (root = REPO_ROOT): [string, ...string[]] => {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const [bin, ...args] = String(scripts.start).split(' ');
  return [join(root, 'node_modules', '.bin', bin as string), ...args];
};

export interface LocalProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the output has a line containing `text` after `from` characters. */
  waitForOutput(text: string, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** Ctrl-C in its terminal: SIGINT to the whole process group; resolves with the exit code. */
  interrupt(): Promise<number | null>;
  /** SIGKILL to the whole process group. */
  kill(): void;
}

/**
 * `npm start` as a terminal runs it: in a process group of its own (detached), which every process
 * it starts shares unless it leaves it, so a signal reaches all of them at once. Resolves once it
 * serves. `root` is the repository to run (a copy, for a test that edits sources).
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
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  try {
    await waitForOutput(READY_LINE, { timeoutMs: options.timeoutMs ?? 120_000 });
  } catch (error) {
    kill();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    waitForOutput,
    interrupt: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.pid === undefined) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        process.kill(-child.pid, 'SIGINT');
      }),
    kill,
  };
};
