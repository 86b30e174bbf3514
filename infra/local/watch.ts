import { readFileSync, writeFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import { REPO_ROOT } from '../repo-root.js';
import { explain } from './explain.js';
import { enableFreshImports, moduleUrl, nextGeneration } from './fresh-import.js';
import type { LocalApp } from './local-app.js';
import { cachedTemplate, SYNTH_CACHE_DIR } from './template-cache.js';

/** What an edited file asks for: new handler code, or a new template (definitions, the CDK app). */
export type Change = 'handlers' | 'template' | 'restart' | 'none';

/** The file the runtime reads the definitions from; written here, so its own change is no news. */
const CATALOG = 'functions/definitions/catalog.json';

/** What a change to this file (a path from the repository root) needs, for `npm start -- --watch`. */
export const changeOf = (path: string): Change => {
  const file = path.split(sep).join('/');
  if (!/\.(ts|mts|js|mjs|json)$/.test(file) || file === CATALOG) return 'none';
  if (file.startsWith('infra/local/')) return 'restart';
  if (file.startsWith('state-machines/') || file.startsWith('infra/') || file === 'cdk.json')
    return 'template';
  if (file.startsWith('functions/')) return 'handlers';
  return 'none';
};

export interface SourceWatcher {
  close(): void;
}

export interface WatchOptions {
  readonly app: LocalApp;
  /** Where the lines about reloads go. @default console.log */
  readonly print?: (line: string) => void;
  /** Quiet time after the last edit before reloading (editors write in bursts). @default 150 */
  readonly debounceMs?: number;
  /** Where the synthesized cloud assembly goes. @default cdk.out */
  readonly outdir?: string;
}

/**
 * `npm start -- --watch`: an edit under functions/ reloads every handler with a fresh module graph;
 * an edit to a definition or the CDK app re-synthesizes the template (and the runtime's catalog) and
 * serves it. Data, runs in flight and their definitions are untouched (docs/local-stack.md, "Watch").
 * A reload that fails leaves the previous code serving and says why. Resolves once edits are seen.
 */
export const watchSources = async (options: WatchOptions): Promise<SourceWatcher> => {
  enableFreshImports();
  const print = options.print ?? ((line: string) => console.log(line));
  const outdir = options.outdir ?? resolve(REPO_ROOT, 'cdk.out');
  const pending = new Map<string, Change>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const reload = async (files: Map<string, Change>) => {
    const kinds = new Set(files.values());
    const names = [...files.keys()].join(', ');
    if (kinds.has('restart'))
      print(`watch: ${names} changed; the local stack itself needs a restart for that`);
    if (!kinds.has('template') && !kinds.has('handlers')) return;
    const began = Date.now();
    try {
      if (kinds.has('template')) {
        const template = await freshTemplate(outdir, print);
        await options.app.reload(template);
        print(
          `watch: ${names} changed; template re-synthesized and handlers reloaded in ${Date.now() - began} ms`,
        );
      } else {
        await options.app.reload();
        print(`watch: ${names} changed; handlers reloaded in ${Date.now() - began} ms`);
      }
    } catch (error) {
      print(`watch: reload failed, the previous code keeps serving: ${explain(error)}`);
    }
  };

  const flush = () => {
    const files = new Map(pending);
    pending.clear();
    running = running.then(() => (closed ? undefined : reload(files)));
  };

  // chokidar, not fs.watch: an editor that saves by renaming a new file over the old one (vim,
  // sed -i) ends a plain inotify watch of that file, and Node 20's recursive watch with it.
  const watcher = watch(['functions', 'state-machines', 'infra', 'cdk.json'], {
    cwd: REPO_ROOT,
    ignoreInitial: true,
  });
  watcher.on('all', (_event, path) => {
    const change = changeOf(path);
    if (change === 'none') return;
    pending.set(path, change);
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 150);
  });
  // Edits are seen from here on: the caller says it watches only once this is true.
  await new Promise<void>((ready) => watcher.once('ready', ready));
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      void watcher.close();
    },
  };
};

/**
 * The template of the sources as they are now: the definitions and the CDK app are imported anew
 * (their own code only), the runtime's catalog is rewritten when it changed, and the template comes
 * from the synthesis cache or a fresh synthesis.
 */
const freshTemplate = async (outdir: string, print: (line: string) => void) => {
  const generation = nextGeneration();
  const { generatedFiles } = (await import(
    moduleUrl('state-machines/catalog.ts', generation)
  )) as typeof import('../../state-machines/catalog.js');
  for (const { path, text } of generatedFiles())
    if (readFileSync(resolve(REPO_ROOT, path), 'utf8') !== text) {
      writeFileSync(resolve(REPO_ROOT, path), text);
      print(`watch: ${path} updated (commit it with the definition)`);
    }
  const versions = (await import(
    moduleUrl('state-machines/versions.ts', generation)
  )) as typeof import('../../state-machines/versions.js');
  const { workflowDefinitions } = (await import(
    moduleUrl('state-machines/registry.ts', generation)
  )) as typeof import('../../state-machines/registry.js');
  for (const path of versions.recordVersionsLocally(workflowDefinitions))
    print(`watch: ${path} updated: a new definition version is recorded (commit it with the definition)`);
  return cachedTemplate({
    cacheDir: SYNTH_CACHE_DIR,
    outdir,
    synth: () => import(moduleUrl('infra/synth.ts', generation)) as Promise<typeof import('../synth.js')>,
  });
};
