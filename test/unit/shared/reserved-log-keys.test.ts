import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const FUNCTIONS = join(ROOT, 'functions');

/** Keys Powertools' Logger drops from the extra keys of a log call, with a warning in their place. */
const RESERVED = ['level', 'message', 'sampling_rate', 'service', 'timestamp'];
const CALL = /\blogger\.(debug|info|warn|error|critical|appendKeys|appendPersistentKeys)\(/g;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** The text between the call's parentheses, skipping strings, and where it starts. */
const argumentsAt = (source: string, open: number): string => {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('({['.includes(c as string)) depth++;
    else if (')}]'.includes(c as string) && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error('unbalanced call');
};

/** Splits on the commas (or other separators) that are not inside brackets or strings. */
const topLevel = (text: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('({['.includes(c as string)) depth++;
    else if (')}]'.includes(c as string)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
};

/** The keys an object literal names at its top level (`a`, `a: 1`, `'a': 1`; spreads are not seen). */
const keysOf = (literal: string): string[] =>
  topLevel(literal.slice(1, -1)).flatMap((member) => {
    const key = /^(?:['"]([^'"]+)['"]|([A-Za-z_$][\w$]*))\s*(?::|$)/.exec(member);
    return key ? [(key[1] ?? key[2]) as string] : [];
  });

/** Every log call of this source that passes a reserved key as an extra key: `file:line key`. */
const reservedKeyUses = (name: string, source: string): string[] =>
  [...source.matchAll(CALL)].flatMap((match) => {
    const open = (match.index ?? 0) + match[0].length - 1;
    const args = topLevel(argumentsAt(source, open));
    const line = source.slice(0, match.index).split('\n').length;
    return args.flatMap((arg, index) => {
      if (!arg.startsWith('{')) return [];
      // The first argument of a log call may be `{ message, ... }`: there `message` is the message.
      const isMessageObject = index === 0 && !match[1]?.startsWith('append');
      return keysOf(arg)
        .filter((key) => RESERVED.includes(key) && !(isMessageObject && key === 'message'))
        .map((key) => `${name}:${line} ${key}`);
    });
  });

describe('log calls under functions/', () => {
  it('pass no key Powertools reserves (it would drop the value and log a warning instead)', () => {
    const uses = sources(FUNCTIONS).flatMap((file) =>
      reservedKeyUses(relative(ROOT, file), readFileSync(file, 'utf8')),
    );
    expect(uses).toEqual([]);
  });

  it('are found by this check when they do', () => {
    const source = `
      logger.warn('reconcile: repaired', { workflowId, message });
      logger.info({ message: 'fine', level: 3 });
      logger.error('nested is fine', { error: { message: 'x' }, 'timestamp': now });
      logger.appendKeys({ service: 'x', step });`;
    expect(reservedKeyUses('x.ts', source)).toEqual([
      'x.ts:2 message',
      'x.ts:3 level',
      'x.ts:4 timestamp',
      'x.ts:5 service',
    ]);
  });

  it('with the list Powertools enforces', () => {
    const probe = new Logger({ serviceName: 'probe' });
    const warn = vi.spyOn(probe, 'warn').mockImplementation(() => undefined);
    for (const key of RESERVED) probe.appendKeys({ [key]: 'x' });
    expect(warn.mock.calls.map((call) => call[0])).toEqual(
      RESERVED.map((key) => `The key "${key}" is a reserved key and will be dropped.`),
    );
  });
});
