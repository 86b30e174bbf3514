import { CommanderError } from 'commander';
import { ApiError } from './client.js';
import { buildProgram, EXIT, type ProgramIo, type ProgramState } from './program.js';

/** Where a command line prints: answers on stdout, errors and usage on stderr. */
const consoleIo: ProgramIo = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** Commander's codes for a help or version asked for: not errors. */
const ANSWERED = new Set(['commander.helpDisplayed', 'commander.version']);

/** The lines of an API error: `<status> <error>: <message>`, then each detail the API listed. */
const apiErrorText = (error: ApiError): string => {
  const details = Array.isArray(error.body.details) ? (error.body.details as unknown[]) : [];
  const lines = details.map((detail) => {
    const { path, message } = (detail ?? {}) as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') return `  - ${JSON.stringify(detail)}`;
    const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
    return `  - ${where ? `${where}: ` : ''}${message}`;
  });
  return [error.message, ...lines].join('\n');
};

/**
 * Runs one command line; returns the exit code (EXIT in program.ts). Errors are printed, never
 * thrown, and never with a stack: commander's usage errors with the usage, the API's as
 * `<status> <error>: <message>`, anything else as `error: <message>` (the stack too with
 * JOB_ORCHESTRATOR_DEBUG=1).
 */
export const run = async (argv: readonly string[], io: ProgramIo = consoleIo): Promise<number> => {
  const err = io.err ?? io.out;
  const state: ProgramState = { exitCode: EXIT.ok };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    // Commander printed it already (the message, then the usage).
    if (error instanceof CommanderError) return ANSWERED.has(error.code) ? EXIT.ok : EXIT.usage;
    if (error instanceof ApiError) err(apiErrorText(error));
    else err(`error: ${error instanceof Error ? error.message : String(error)}`);
    // The stack only when asked: JOB_ORCHESTRATOR_DEBUG=1.
    if (process.env.JOB_ORCHESTRATOR_DEBUG && error instanceof Error && error.stack) err(error.stack);
    return EXIT.error;
  }
};
