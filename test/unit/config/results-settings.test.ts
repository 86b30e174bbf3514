import { describe, expect, it } from 'vitest';
import { defaultOf, RESULTS_KEY_PREFIX, setting } from '../../../functions/config/environment.js';

describe('results and retention settings', () => {
  it('RESULTS_BUCKET is required and named with its purpose when missing', () => {
    expect(setting('resultsBucket', { RESULTS_BUCKET: 'bucket-1' })).toBe('bucket-1');
    expect(() => setting('resultsBucket', {})).toThrow(
      `Environment variable RESULTS_BUCKET is not set: it names the app's S3 bucket; step results too large for their task item are objects under ${RESULTS_KEY_PREFIX}`,
    );
  });

  it('RETENTION_DAYS defaults to 90 and takes only whole days >= 1', () => {
    expect(defaultOf('retentionDays')).toBe(90);
    expect(setting('retentionDays', { RETENTION_DAYS: '30' })).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'abc'])
      expect(() => setting('retentionDays', { RETENTION_DAYS: bad })).toThrow(
        'RETENTION_DAYS must be a whole number of days >= 1',
      );
  });
});
