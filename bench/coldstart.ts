import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../infra/repo-root.js';
import { synthTemplate } from '../infra/synth.js';
import { ENTRY_METADATA_KEY } from '../infra/template-keys.js';
import { printTable, RESULTS_DIR, type Row, writeResult } from './lib/report.js';
import { median, round } from './lib/stats.js';

const LOADS = 20;
/** Inside the repository, so the bundles' one external (@aws-sdk, in the Lambda runtime) resolves. */
const OUT_DIR = resolve(RESULTS_DIR, '.bundles');

/**
 * The esbuild options of infra/lambda.ts (createAppFunction's `bundling`) as NodejsFunction applies
 * them, source maps left out: NodejsFunction marks @aws-sdk/* external on Node 18+ runtimes.
 */
const bundle = (entry: string, outfile: string) =>
  build({
    entryPoints: [resolve(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    keepNames: true,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'error',
  });

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

/** import() time of the module in a fresh Node process, measured inside it (process start excluded). */
const loadMs = (file: string): number => {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});console.log(performance.now()-t)`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr}`);
  return Number(run.stdout.trim().split('\n').pop());
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
  const sdkImports = new Set<string>();
  for (const [entry, memory] of [...entries.entries()].sort()) {
    const dir = resolve(OUT_DIR, entry.replace(/\.ts$/, '').replaceAll('/', '_'));
    mkdirSync(dir, { recursive: true });
    const outfile = resolve(dir, 'index.mjs');
    const { metafile } = await bundle(entry, outfile);
    for (const output of Object.values(metafile.outputs))
      for (const imported of output.imports) if (imported.external) sdkImports.add(imported.path);
    const loads = Array.from({ length: LOADS }, () => loadMs(outfile));
    const kb = statSync(outfile).size / 1024;
    const load = median(loads);
    rows.push({
      function: entry,
      'memory MB': memory,
      'bundle KB': round(kb, 1),
      '≤ 250 KB': kb <= 250 ? 'yes' : 'no',
      'load p50 ms': round(load, 1),
      'load max ms': round(Math.max(...loads), 1),
      '≤ 60 ms': load <= 60 ? 'yes' : 'no',
      heaviest: heaviest(metafile),
    });
  }
  // The runtime's SDK alone: how much of each load is @aws-sdk rather than the bundle itself.
  const sdkOnly = resolve(OUT_DIR, 'sdk-only.mjs');
  writeFileSync(sdkOnly, [...sdkImports].map((path) => `import ${JSON.stringify(path)};`).join('\n'));
  const sdkLoad = median(Array.from({ length: LOADS }, () => loadMs(sdkOnly)));
  rows.push({ function: `(baseline) ${[...sdkImports].join(' + ')}`, 'load p50 ms': round(sdkLoad, 1) });
  printTable(
    `coldstart — every Lambda bundle (esbuild as infra/lambda.ts, minified, no source map), import() in a fresh Node ${process.version}, median of ${LOADS}`,
    rows,
  );
  console.log(
    '  @aws-sdk/* stays external (the Lambda runtime provides it) and is loaded from node_modules here.',
  );
  writeResult('coldstart', { rows });
  return rows;
};
