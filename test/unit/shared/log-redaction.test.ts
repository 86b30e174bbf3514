import { afterEach, describe, expect, it, vi } from 'vitest';
import { redactUserData, summariseUserData } from '../../../functions/shared/log-redaction.js';
import { logger } from '../../../functions/shared/logger.js';

const SECRET = 'sk_live_redaction_test_0123456789';

describe('user data in log attributes', () => {
  it('is summarised as keys and sizes: metadata objects, bodies as text, arrays', () => {
    expect(summariseUserData({ token: SECRET, url: 'https://x' })).toEqual({
      keys: ['token', 'url'],
      bytes: JSON.stringify({ token: SECRET, url: 'https://x' }).length,
    });
    const body = `{"metadata":{"token":"${SECRET}"}}`;
    expect(summariseUserData(body)).toEqual({ bytes: body.length });
    expect(summariseUserData([SECRET, SECRET])).toEqual({ items: 2, bytes: 2 * (SECRET.length + 2) + 3 });
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));
    expect(summariseUserData(many)).toMatchObject({ moreKeys: 10 });
  });

  it('is found at any depth, under `metadata` and `body`, and nothing else changes', () => {
    const error = new Error('kept as is');
    const redacted = redactUserData({
      message: 'request served',
      workflow: { workflowId: 'w-1', metadata: { apiToken: SECRET } },
      event: { httpMethod: 'POST', body: `{"metadata":{"apiToken":"${SECRET}"}}` },
      list: [{ metadata: { nested: { deeper: SECRET } } }],
      error,
      empty: { metadata: null },
    });
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
    expect(redacted).toMatchObject({
      message: 'request served',
      workflow: { workflowId: 'w-1', metadata: { keys: ['apiToken'] } },
      event: { httpMethod: 'POST', body: { bytes: expect.any(Number) } },
      list: [{ metadata: { keys: ['nested'] } }],
      empty: { metadata: null },
    });
    expect(redacted.error).toBe(error);
  });
});

describe('the logger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never prints a metadata value, whatever a call hands it', () => {
    const printed: string[] = [];
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        printed.push(String(chunk));
        return true;
      });
    logger.error('a record', { workflow: { workflowId: 'w-1', metadata: { apiToken: SECRET } } });
    logger.appendKeys({ metadata: { callback: `https://user:${SECRET}@example.com` } });
    logger.error('an event', { event: { body: JSON.stringify({ metadata: { apiToken: SECRET } }) } });
    logger.removeKeys(['metadata']);
    const output = printed.join('');
    expect(output).toContain('"keys":["apiToken"]');
    expect(output).toContain('"keys":["callback"]');
    expect(output).not.toContain(SECRET);
  });
});
