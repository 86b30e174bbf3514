import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/repo-root.js';

/** What `npm start` reads from the repository, besides node_modules. */
const SOURCES = [
  'functions',
  'state-machines',
  'infra',
  'cli',
  // npm start builds the console when its sources are newer than console/dist: timestamps are kept.
  'console',
  'cdk.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

/**
 * A copy of the repository's sources in a temporary folder, sharing its node_modules (a link): a
 * test or bench can edit files there, and start the local stack on them, without touching the
 * sources the rest of the suite reads. The copy's synthesis cache starts as the repository's (same
 * sources, same hashes) unless `coldCache`.
 */
export const copyOfRepo = (options: { coldCache?: boolean } = {}): string => {
  const root = mkdtempSync(join(tmpdir(), 'repo-copy-'));
  for (const source of SOURCES)
    cpSync(join(REPO_ROOT, source), join(root, source), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, '.local'), { recursive: true });
  const cache = join(REPO_ROOT, '.local/synth');
  if (!options.coldCache && existsSync(cache)) cpSync(cache, join(root, '.local/synth'), { recursive: true });
  return root;
};

/** Replaces text in a file of a copy, as an editor saves it; fails if the text is not there. */
export const editCopy = (root: string, path: string, from: string, to: string): void => {
  const file = join(root, path);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} has no "${from}"`);
  writeFileSync(file, text.replace(from, to));
};
