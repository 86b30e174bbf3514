import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { run } from '../../cli/main.js';
import type { ProgramIo } from '../../cli/program.js';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';

/** Runs one command line in-process against `url` (through `fetch` when given): exit code, answers, errors. */
export const cliRunner =
  (url: () => string, fetch?: ProgramIo['fetch']) =>
  async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['--url', url(), ...args], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      ...(fetch ? { fetch } : {}),
    });
    return { code, text: out.join('\n'), error: err.join('\n') };
  };

/**
 * A local stack for one CLI test file (in memory, on a free port, synthesized into a folder of its
 * own), and `cli`, which runs one command line in-process against it: exit code, answers, errors.
 */
export const useLocalCli = (name: string) => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      retryIntervalScale: 0.05,
      outdir: mkdtempSync(join(tmpdir(), `${name}-cdk-`)),
    });
  }, 120_000);
  afterAll(() => stack?.stop());
  return { cli: cliRunner(() => stack.url), stack: () => stack };
};

/** The workflow id a `submit` or `list` line starts with. */
export const idOf = (text: string) => text.split(/\s+/)[0] as string;
