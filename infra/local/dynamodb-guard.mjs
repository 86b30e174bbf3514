// Runs DynamoDB Local for the local stack in a process group of its own, so that a terminal's Ctrl-C
// (sent to the stack's whole group) does not stop the database before the stack has recorded its
// runs; and never lets it outlive the stack, even after a `kill -9` of it (docs/local-stack.md,
// "Shutdown"). Plain JavaScript: it runs under `node` with no loader.
// Usage: node dynamodb-guard.mjs <stack pid> <command> [args...]
import { spawn } from 'node:child_process';

const [stackPid, command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: 'ignore' });
const stop = (signal) => {
  if (child.exitCode === null) child.kill(signal);
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
// The stack is gone (crashed, or killed with -9): the database goes with it.
setInterval(() => {
  try {
    process.kill(Number(stackPid), 0);
  } catch {
    stop('SIGKILL');
  }
}, 250);
