import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../../infra/repo-root.js';

export type Row = Record<string, string | number | boolean | null | undefined>;

export const RESULTS_DIR = resolve(REPO_ROOT, 'bench/results');

const cell = (value: Row[string]): string =>
  value === undefined || value === null ? '' : typeof value === 'number' ? String(value) : String(value);

/** A plain-text table: the benches print figures for people, the JSON file is for tools. */
export const printTable = (title: string, rows: readonly Row[]): void => {
  console.log(`\n${title}`);
  if (rows.length === 0) return void console.log('  (no rows)');
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    `  ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ')}`;
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => cell(row[c]))));
};

/** bench/results/<name>.json (git-ignored): the latest run's figures, with when and where they were taken. */
export const writeResult = (name: string, data: unknown): string => {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = resolve(RESULTS_DIR, `${name}.json`);
  // Load average matters: the figures of a shared 2-core machine move with what else runs.
  const meta = {
    bench: name,
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg(),
  };
  writeFileSync(file, `${JSON.stringify({ ...meta, ...(data as object) }, null, 2)}\n`);
  console.log(`\n  → ${file}`);
  return file;
};
