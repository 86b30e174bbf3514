import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../bench/lib/lambda-bundle.js';
import { buildApp } from '../../infra/build-app.js';
import { appBundling } from '../../infra/lambda.js';
import { REPO_ROOT } from '../../infra/repo-root.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';

/**
 * The asset gate: every function's deployment package (the directory NodejsFunction zips and ships)
 * at most 200 KB, with KB = 1024 bytes because esbuild's build summary (`index.mjs 168.3kb`) and
 * bench/coldstart.ts count that way: the gate, the build output and the bench give one figure.
 */
const LIMIT_KB = 200;
const LIMIT_BYTES = LIMIT_KB * 1024;

interface Asset {
  readonly entry: string;
  readonly functions: string[];
  readonly dir: string;
  readonly files: string[];
  readonly bytes: number;
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((item) =>
    item.isDirectory() ? filesUnder(join(dir, item.name)).map((f) => join(item.name, f)) : [item.name],
  );

let outdir: string;
const assets = new Map<string, Asset>();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
  // As `cdk synth` runs it: the default context, every stack bundled with the local esbuild, and the
  // asset path on each function so a function maps to the directory it ships.
  const app = new App({ outdir, context: { stage: 'dev', 'aws:cdk:enable-asset-metadata': true } });
  const stack = buildApp(app);
  const { Resources } = app.synth().getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  for (const [id, resource] of Object.entries(Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || !entry) continue;
    const path = resource.Metadata?.['aws:asset:path'];
    if (!path) throw new Error(`${entry} (${id}) has no asset path: was it bundled?`);
    const dir = join(outdir, path);
    const known = assets.get(dir);
    if (known) {
      known.functions.push(id);
      continue;
    }
    const files = filesUnder(dir);
    const bytes = files.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    assets.set(dir, { entry, functions: [id], dir, files, bytes });
  }
}, 300_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('Lambda assets', () => {
  it('bundles every function of the app', () => {
    expect(assets.size).toBeGreaterThan(10);
    for (const asset of assets.values()) {
      expect(existsSync(asset.dir), asset.entry).toBe(true);
      expect(asset.files, asset.entry).toContain('index.mjs');
    }
  });

  it(`keeps every deployment package at or under ${LIMIT_KB} KB`, () => {
    const over = [...assets.values()]
      .filter((asset) => asset.bytes > LIMIT_BYTES)
      .sort((a, b) => b.bytes - a.bytes)
      .map(
        (asset) =>
          `${asset.entry} (${asset.functions.join(', ')}): ${(asset.bytes / 1024).toFixed(1)} KB [${asset.files.join(', ')}]`,
      );
    expect(over, `over ${LIMIT_KB} KB (${LIMIT_BYTES} bytes):\n  ${over.join('\n  ')}\n`).toEqual([]);
  });

  it('ships no source map unless a stage asks for one (-c sourceMaps=true)', () => {
    for (const asset of assets.values())
      expect(
        asset.files.filter((file) => file.endsWith('.map')),
        asset.entry,
      ).toEqual([]);
  });

  it('are what bench/coldstart.ts measures: its esbuild options make the same bytes', async () => {
    for (const asset of assets.values()) {
      const { outputFiles } = await build({
        ...esbuildOptionsOf(appBundling(false)),
        entryPoints: [resolve(REPO_ROOT, asset.entry)],
        outfile: join(asset.dir, 'index.mjs'),
        write: false,
        logLevel: 'error',
      });
      expect(
        outputFiles.map((file) => file.text),
        asset.entry,
      ).toEqual([readFileSync(join(asset.dir, 'index.mjs'), 'utf8')]);
    }
  });

  it('hold one copy of each package (one Powertools version, one commons), and no X-Ray SDK', async () => {
    for (const asset of assets.values()) {
      const { metafile } = await build({
        ...esbuildOptionsOf(appBundling(false)),
        entryPoints: [resolve(REPO_ROOT, asset.entry)],
        write: false,
        metafile: true,
        logLevel: 'error',
      });
      // A package's copies: every node_modules directory its bundled files come from.
      const copies = new Map<string, Set<string>>();
      for (const path of Object.keys(metafile.inputs)) {
        const match = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop();
        if (!match) continue;
        const root = path.slice(0, (match.index ?? 0) + match[0].length);
        copies.set(match[1] as string, (copies.get(match[1] as string) ?? new Set()).add(root));
      }
      const duplicated = [...copies]
        .filter(([, roots]) => roots.size > 1)
        .map(([name, roots]) => `${name}: ${[...roots].join(', ')}`);
      expect(duplicated, asset.entry).toEqual([]);
      // Active tracing records the segments; the SDK is in maintenance mode (README, "Observability").
      expect(
        [...copies.keys()].filter((name) => /xray/i.test(name)),
        asset.entry,
      ).toEqual([]);
    }
  });
});
