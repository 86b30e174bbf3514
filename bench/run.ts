/**
 * `npm run bench [-- <name>...]`: each named bench (all when none) runs in a child process of its
 * own, so one bench's module caches, servers and memory never colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Before any app module is imported: the Powertools logger and metrics read these once, at import.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BENCHES: Record<string, () => Promise<unknown>> = {
  cost: async () => (await import('./cost.js')).runCost(),
  schedule: async () => (await import('./schedule.js')).runSchedule(),
  throughput: async () => (await import('./throughput.js')).runThroughput(),
  coldstart: async () => (await import('./coldstart.js')).runColdstart(),
  api: async () => (await import('./api.js')).runApi(),
  cli: async () => (await import('./cli.js')).runCli(),
  'fan-out': async () => (await import('./fan-out.js')).runFanOut(),
  'local-start': async () => (await import('./local-start.js')).runLocalStart(),
  partitions: async () => (await import('./partitions.js')).runPartitions(),
};

const [first, ...rest] = process.argv.slice(2);
if (first === '--child' && rest[0]) {
  const bench = BENCHES[rest[0]];
  if (!bench) throw new Error(`unknown bench ${rest[0]}`);
  await bench();
  // Servers and SDK sockets of the app may linger: the figures are out, the process is done.
  process.exit(0);
}

const names = first ? [first, ...rest] : Object.keys(BENCHES);
const unknown = names.filter((name) => !BENCHES[name]);
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(2);
}
const self = fileURLToPath(import.meta.url);
let failed = 0;
for (const name of names) {
  const began = Date.now();
  console.log(`\n=== bench ${name}`);
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--child', name], {
    stdio: 'inherit',
  });
  console.log(
    `=== bench ${name}: ${child.status === 0 ? 'done' : 'FAILED'} in ${Math.round((Date.now() - began) / 1000)} s`,
  );
  if (child.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
