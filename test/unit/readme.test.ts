import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderIndexTable } from '../../scripts/index-table.js';
import { renderTransitionTables } from '../../scripts/transition-table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the index mapping exactly as table-schema.ts defines it', () => {
    expect(readme).toContain(`<!-- index-table:start -->\n${renderIndexTable()}\n<!-- index-table:end -->`);
  });

  it('shows the transition table exactly as transitions.ts defines it', () => {
    expect(readme).toContain(
      `<!-- transition-table:start -->\n${renderTransitionTables()}\n<!-- transition-table:end -->`,
    );
  });

  it('has the two-command quick start', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test ');
  });
});
