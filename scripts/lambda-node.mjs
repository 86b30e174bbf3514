#!/usr/bin/env node
/*
 * `npm run test:lambda-node`: the unit and integration suites again on the Lambda runtime's Node
 * (infra/lambda.ts deploys nodejs22.x), whatever Node runs `npm test`. That Node comes from the npm
 * registry (the `node` package, which installs the platform's binary as `node-<os>-<arch>`), into
 * node_modules/.cache, once; nothing else is downloaded. README "Supported Node versions".
 *
 * Plain JavaScript on purpose: it runs before anything is compiled, on any supported Node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The Node 22 release the suites run on: the newest 22.x the `node` package publishes. */
export const LAMBDA_NODE_VERSION = '22.23.3';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, 'node_modules', '.cache', `node-${LAMBDA_NODE_VERSION}`);
const binDir = join(prefix, 'node_modules', '.bin');
const node = join(binDir, process.platform === 'win32' ? 'node.cmd' : 'node');

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
};

const versionOf = (binary) =>
  existsSync(binary) ? spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() : undefined;

const main = () => {
  if (versionOf(node) !== `v${LAMBDA_NODE_VERSION}`) {
    mkdirSync(prefix, { recursive: true });
    console.log(`installing Node ${LAMBDA_NODE_VERSION} from the npm registry into ${prefix}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const status = run(npm, [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      `node@${LAMBDA_NODE_VERSION}`,
    ]);
    if (status !== 0 || versionOf(node) !== `v${LAMBDA_NODE_VERSION}`) {
      console.error(`could not install Node ${LAMBDA_NODE_VERSION} (npm exit ${status})`);
      process.exit(1);
    }
  }

  // Its bin directory first on the PATH, so what the suites start (`node`, tsx, npm start) runs on it too.
  const suites = process.argv.slice(2);
  const env = {
    ...process.env,
    PATH: `${binDir}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH}`,
  };
  console.log(`vitest on Node ${versionOf(node)}: ${suites.join(' ') || 'every suite'}`);
  process.exit(run(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...suites], { env }));
};

// Imported (a test reads LAMBDA_NODE_VERSION), it does nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
