import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Which layer may import which is biome.json's noRestrictedImports (npm run lint); this file holds
// the layout rule Biome has no rule for: one concept per file (docs/architecture.md, "Layers").

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAX_LINES = 400;

const typeScriptFiles = (dir: string): string[] =>
  (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));

/** As `wc -l` counts them: the newline that ends the last line starts no new one. */
const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('source layout', () => {
  it.each(['functions', 'infra', 'state-machines', 'cli'])(
    `no TypeScript file under %s/ is over ${MAX_LINES} lines`,
    (dir) => {
      const files = typeScriptFiles(dir);
      expect(files.length).toBeGreaterThan(0);
      const long = files
        .map((file) => ({ file, lines: lineCount(readFileSync(join(ROOT, file), 'utf8')) }))
        .filter(({ lines }) => lines > MAX_LINES);
      expect(long).toEqual([]);
    },
  );
});
