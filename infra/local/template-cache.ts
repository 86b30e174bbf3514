import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';
import type { CfnTemplate } from '../synth.js';

/** What the synthesized template is made of: the CDK app, the definitions, the runtime's contract. */
const INPUTS = ['infra', 'state-machines', 'functions', 'cdk.json', 'package-lock.json'];
/** The local stack itself does not shape the template. */
const IGNORED = new Set(['node_modules', 'local']);
const KEPT = 5;

/** Where the local stack keeps the templates it synthesized, by the hash of their inputs. */
export const SYNTH_CACHE_DIR = join(REPO_ROOT, '.local/synth');

const filesUnder = (path: string): string[] => {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !IGNORED.has(name))
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
};

/** A hash of every input of the synthesis: same inputs, same template. */
export const templateInputsHash = (root = REPO_ROOT): string => {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => filesUnder(join(root, input)))) {
    hash.update(relative(root, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
};

/**
 * The app's template, synthesized only when its inputs changed since the last start (kept under
 * .local/synth/ by the hash of its inputs): a restart with nothing changed skips the CDK app, which
 * is most of a first start (docs/local-stack.md). aws-cdk-lib is loaded only on a miss.
 */
export const cachedTemplate = async (options: {
  cacheDir: string;
  outdir: string;
  /** The synthesis module to use on a miss (`--watch` passes a fresh copy). @default infra/synth.ts */
  synth?: () => Promise<typeof import('../synth.js')>;
}): Promise<CfnTemplate> => {
  const file = join(options.cacheDir, `${templateInputsHash()}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  const { synthTemplate } = await (options.synth ?? (() => import('../synth.js')))();
  const template = synthTemplate({ outdir: options.outdir });
  mkdirSync(options.cacheDir, { recursive: true });
  writeFileSync(file, JSON.stringify(template));
  // Only the newest few: an edit-and-restart loop must not fill the disk.
  const old = readdirSync(options.cacheDir)
    .map((name) => join(options.cacheDir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    .slice(KEPT);
  for (const path of old) rmSync(path, { force: true });
  return template;
};
