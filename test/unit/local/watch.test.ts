import { describe, expect, it } from 'vitest';
import { changeOf } from '../../../infra/local/watch.js';

describe('what an edit asks of npm start -- --watch', () => {
  it.each([
    ['functions/steps/label.ts', 'handlers'],
    ['functions/domain/errors.ts', 'handlers'],
    ['state-machines/definitions/dataset-build.ts', 'template'],
    ['state-machines/compile/compile.ts', 'template'],
    ['infra/api.ts', 'template'],
    ['cdk.json', 'template'],
    ['infra/local/api-gateway.ts', 'restart'],
    // Written by the reload itself, and editors' own files: no news.
    ['functions/definitions/catalog.json', 'none'],
    ['functions/steps/.label.ts.swp', 'none'],
    ['functions/steps/label.ts~', 'none'],
    ['README.md', 'none'],
  ] as const)('%s → %s', (path, change) => {
    expect(changeOf(path)).toBe(change);
  });
});
