import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { APP_RUNTIME, appBundling } from '../infra/lambda.js';
import { REPO_ROOT } from '../infra/repo-root.js';
import { synthTemplate } from '../infra/synth.js';
import { ENTRY_METADATA_KEY } from '../infra/template-keys.js';
// @ts-expect-error: a plain .mjs script (it runs before anything is compiled), without types.
import { LAMBDA_NODE_VERSION } from '../scripts/lambda-node.mjs';
import { esbuildOptionsOf } from './lib/lambda-bundle.js';
import { printTable, RESULTS_DIR, type Row, writeResult } from './lib/report.js';
import { median, round } from './lib/stats.js';

/** Fresh processes per figure: a stable enough median, and the whole bench in about two minutes. */
const LOADS = 5;
/** The asset gate of test/infra/bundle-size.test.ts, in the same KB (1024 bytes). */
const BUNDLE_LIMIT_KB = 200;
/** The module load a cold start may spend on our own code, the SDK's load apart. */
const LOAD_GOAL_MS = 60;
/** Inside the repository, so the bundles' one external (@aws-sdk, in the Lambda runtime) resolves. */
const OUT_DIR = resolve(RESULTS_DIR, '.bundles');

/**
 * The Node the loads run on: the Lambda runtime's (the copy `npm run test:lambda-node` keeps in
 * node_modules/.cache) when it is there, else this process's, with a note that the figures are not
 * the runtime's.
 */
const loadNode = (() => {
  const lambdaNode = resolve(
    REPO_ROOT,
    'node_modules',
    '.cache',
    `node-${LAMBDA_NODE_VERSION}`,
    'node_modules',
    '.bin',
    'node',
  );
  return existsSync(lambdaNode)
    ? { path: lambdaNode, version: `v${LAMBDA_NODE_VERSION}` }
    : { path: process.execPath, version: process.version };
})();

/** One function's bundle as infra/lambda.ts makes it (appBundling: the same options, one source). */
const bundle = async (entry: string, outfile: string, sourceMaps = false) => {
  const { metafile } = await build({
    ...esbuildOptionsOf(appBundling(sourceMaps)),
    entryPoints: [resolve(REPO_ROOT, entry)],
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  const sdk = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const imported of output.imports)
      if (imported.external && imported.path.startsWith('@aws-sdk/')) sdk.add(imported.path);
  return { metafile, sdk: [...sdk].sort() };
};

/** The packages that weigh most in a bundle: where its size comes from. */
const heaviest = (metafile: Metafile, top = 3): string => {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs))
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match ? (match[1] as string) : 'app code';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)}K`)
    .join(', ');
};

/**
 * import() time in a fresh Node process, measured inside it (process start excluded): `preload` is
 * imported first and not counted, so timing a bundle after its SDK modules leaves our own code.
 */
const loadMs = (
  options: { preload?: readonly string[]; measure: readonly string[]; nodeArgs?: readonly string[] },
  from: string,
): number => {
  const imports = (specifiers: readonly string[]) =>
    specifiers.map((s) => `await import(${JSON.stringify(s)});`).join('');
  const script = `${imports(options.preload ?? [])}const t=performance.now();${imports(options.measure)}console.log(performance.now()-t)`;
  const run = spawnSync(
    process.execPath,
    [...(options.nodeArgs ?? []), '--input-type=module', '-e', script],
    {
      // Bare specifiers of the script resolve from here, to the same node_modules files the bundle imports.
      cwd: from,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        POWERTOOLS_METRICS_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    },
  );
  if (run.status !== 0) throw new Error(`loading ${options.measure.join(', ')} failed: ${run.stderr}`);
  return Number(run.stdout.trim().split('\n').pop());
};
const loads = (measure: () => number) => Array.from({ length: LOADS }, measure);

const kb = (bytes: number) => round(bytes / 1024, 1);
const short = (sdk: readonly string[]) => sdk.map((path) => path.replace('@aws-sdk/', '')).join(' + ');

/** What the source map costs one function: package size, and load time with Node applying it. */
const sourceMapCost = async (entry: string) => {
  const dir = resolve(OUT_DIR, 'source-map');
  mkdirSync(dir, { recursive: true });
  const plain = resolve(dir, 'plain', 'index.mjs');
  const mapped = resolve(dir, 'mapped', 'index.mjs');
  const { sdk } = await bundle(entry, plain);
  await bundle(entry, mapped, true);
  const measure =
    (file: string, nodeArgs: string[] = []) =>
    () =>
      loadMs({ preload: sdk, measure: [pathToFileURL(file).href], nodeArgs }, dirname(file));
  // Interleaved, so a change in the machine's load colours the three alike.
  const runs = { plain: [] as number[], mapped: [] as number[], enabled: [] as number[] };
  for (let i = 0; i < LOADS; i++) {
    runs.plain.push(measure(plain)());
    runs.mapped.push(measure(mapped)());
    runs.enabled.push(measure(mapped, ['--enable-source-maps'])());
  }
  const mapBytes = statSync(`${mapped}.map`).size;
  const rows: Row[] = [
    {
      variant: 'no map (default)',
      'package KB': kb(statSync(plain).size),
      'own load p50 ms': round(median(runs.plain), 1),
    },
    {
      variant: '-c sourceMaps=true, map not read',
      'package KB': kb(statSync(mapped).size + mapBytes),
      'map KB': kb(mapBytes),
      'own load p50 ms': round(median(runs.mapped), 1),
    },
    {
      variant: '-c sourceMaps=true + NODE_OPTIONS=--enable-source-maps',
      'package KB': kb(statSync(mapped).size + mapBytes),
      'map KB': kb(mapBytes),
      'own load p50 ms': round(median(runs.enabled), 1),
    },
  ];
  return rows;
};

export const runColdstart = async () => {
  // The entries and memory sizes of every function, as the synthesized template has them.
  const template = synthTemplate({ stage: 'bench' });
  const entries = new Map<string, number>();
  for (const resource of Object.values(template.Resources)) {
    const entry = (resource as { Metadata?: Record<string, string> }).Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type === 'AWS::Lambda::Function' && entry)
      entries.set(entry, Number(resource.Properties?.MemorySize ?? 128));
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  const rows: Row[] = [];
  const sdkLoads = new Map<string, number>();
  let largest = { entry: '', bytes: 0 };
  for (const [entry, memory] of [...entries.entries()].sort()) {
    const dir = resolve(OUT_DIR, entry.replace(/\.ts$/, '').replaceAll('/', '_'));
    mkdirSync(dir, { recursive: true });
    const outfile = resolve(dir, 'index.mjs');
    const { metafile, sdk } = await bundle(entry, outfile);
    const bytes = statSync(outfile).size;
    if (bytes > largest.bytes) largest = { entry, bytes };
    // The SDK in a process of its own, once per set of SDK modules: several functions share one.
    const key = sdk.join(' ');
    if (!sdkLoads.has(key))
      sdkLoads.set(key, sdk.length === 0 ? 0 : median(loads(() => loadMs({ measure: sdk }, dir))));
    const own = loads(() => loadMs({ preload: sdk, measure: [pathToFileURL(outfile).href] }, dir));
    const load = median(own);
    rows.push({
      function: entry,
      'memory MB': memory,
      'bundle KB': kb(bytes),
      [`≤ ${BUNDLE_LIMIT_KB} KB`]: bytes <= BUNDLE_LIMIT_KB * 1024 ? 'yes' : 'no',
      'own load p50 ms': round(load, 1),
      'own load max ms': round(Math.max(...own), 1),
      [`≤ ${LOAD_GOAL_MS} ms`]: load <= LOAD_GOAL_MS ? 'yes' : 'no',
      'SDK load p50 ms': round(sdkLoads.get(key) ?? 0, 1),
      'SDK modules': short(sdk),
      heaviest: heaviest(metafile),
    });
  }
  const runtimeMajor = /nodejs(\d+)/.exec(APP_RUNTIME.name)?.[1];
  printTable(
    `coldstart — every Lambda bundle (esbuild options of infra/lambda.ts, no source map), import() in a fresh Node ${loadNode.version} process, median of ${LOADS}; own load = the bundle alone, its @aws-sdk modules imported first; SDK load = those modules alone`,
    rows,
  );
  console.log(
    '  @aws-sdk/* stays external (the Lambda runtime provides it) and is loaded from node_modules here.',
  );
  if (runtimeMajor && loadNode.version.slice(1).split('.')[0] !== runtimeMajor)
    console.log(
      `  Lambda runs ${APP_RUNTIME.name}; these loads ran on Node ${loadNode.version}: \`npm run test:lambda-node\` installs Node ${LAMBDA_NODE_VERSION}, which the bench then uses.`,
    );

  const sourceMaps = await sourceMapCost(largest.entry);
  printTable(
    `source maps — ${largest.entry} (the largest bundle), own load p50 of ${LOADS} fresh processes each`,
    sourceMaps,
  );
  writeResult('coldstart', {
    loads: LOADS,
    bundleLimitKb: BUNDLE_LIMIT_KB,
    loadGoalMs: LOAD_GOAL_MS,
    rows,
    sourceMaps: { function: largest.entry, rows: sourceMaps },
  });
  return rows;
};
