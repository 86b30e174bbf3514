import { describe, expect, it } from 'vitest';
import { InvalidCursorError, ValidationError } from '../../functions/domain/errors.js';
import { decodeCursor, encodeCursor, pageLimit } from '../../functions/repositories/cursor.js';

const b64 = (value: string): string => Buffer.from(value).toString('base64url');

describe('pagination cursor', () => {
  it('round-trips the key and the listing position', () => {
    const key = { workflowId: '01J', status: 'running', createdAt: '2025-01-01T00:00:00.000Z' };
    const cursor = encodeCursor('workflows.active', key, { p: 1 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'workflows.active')).toEqual({ key, extra: { p: 1 } });
  });

  it('allows a cursor without a key (the start of the next query of a listing)', () => {
    expect(decodeCursor(encodeCursor('x', undefined, { p: 1 }), 'x')).toEqual({ extra: { p: 1 } });
  });

  it('refuses a cursor made for another listing', () => {
    const cursor = encodeCursor('workflows.byStatus:failed', { workflowId: 'a' });
    expect(() => decodeCursor(cursor, 'workflows.byStatus:running')).toThrow(InvalidCursorError);
  });

  it.each([
    ['not base64url', 'not a cursor!'],
    ['empty', ''],
    ['not JSON', b64('{nope')],
    ['JSON but not an object', b64('[1,2]')],
    ['another version', b64(JSON.stringify({ v: 2, i: 'x', k: { a: 'b' } }))],
    ['no listing', b64(JSON.stringify({ v: 1, k: { a: 'b' } }))],
    ['a key that is not a flat object', b64(JSON.stringify({ v: 1, i: 'x', k: { a: { b: 1 } } }))],
    ['an empty key', b64(JSON.stringify({ v: 1, i: 'x', k: {} }))],
  ])('refuses a malformed cursor: %s', (_, cursor) => {
    expect(() => decodeCursor(cursor, 'x')).toThrow(InvalidCursorError);
  });

  it('makes InvalidCursorError a ValidationError naming the cursor', () => {
    const error = new InvalidCursorError();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]?.path).toBe('cursor');
  });
});

describe('page limit', () => {
  it('defaults to 25 and accepts 1..100', () => {
    expect(pageLimit(undefined)).toBe(25);
    expect(pageLimit(1)).toBe(1);
    expect(pageLimit(100)).toBe(100);
  });

  it.each([0, 101, -1, 2.5, Number.NaN])('refuses %s, naming limit', (limit) => {
    try {
      pageLimit(limit);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toBe('limit');
      expect((error as Error).message).toMatch(/limit/);
    }
  });
});
