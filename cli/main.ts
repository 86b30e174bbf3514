import { CommanderError } from 'commander';
import { ApiError } from './client.js';
import { buildProgram } from './program.js';

/** Runs one command line; returns the exit code (errors are printed, never thrown). */
export const run = async (
  argv: readonly string[],
  out: (text: string) => void = console.log,
): Promise<number> => {
  const program = buildProgram({ out });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander printed it (help included)
    if (error instanceof ApiError) {
      out(`error: ${error.message}`);
      if (error.body.details) out(JSON.stringify(error.body.details, null, 2));
      return 1;
    }
    out(`error: ${(error as Error).message}`);
    return 1;
  }
};
