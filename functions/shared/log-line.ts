import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { type Environment, setting } from '../config/environment.js';

/**
 * `LOG_FORMAT=line` (set by the local stack, never on AWS) prints one readable line per log event
 * instead of Powertools' JSON:
 *
 *   12:01:03.412 WARN  label  wf=01J… step=label attempt=2  step attempt failed  error="Error: boom"
 *
 * time, level, function, the workflow / step / attempt when the line has them, the message, then
 * every other key as `key=value` (strings quoted, objects as compact JSON). Never more than one line.
 */
export const lineFormatRequested = (env: Environment = process.env): boolean =>
  setting('logFormat', env) === 'line';

/** Keys shown in their own columns (or left out on purpose: the Lambda context, the correlation id). */
const COLUMN_KEYS: Readonly<Record<string, string>> = { workflowId: 'wf', step: 'step', attempt: 'attempt' };
const LEFT_OUT = new Set(['correlation_id']);
/** Longest value of one key before it is cut (with …): a line stays a line. */
const MAX_VALUE_CHARS = 240;

/** A CDK logical id or physical name as a short function label: its hash gone, a step as its name. */
export const shortFunctionName = (name: string): string => {
  const base = name.replace(/[0-9A-F]{8}$/, '');
  const step = /Step([a-z0-9][a-z0-9-]*)$/.exec(base);
  return step?.[1] ?? base;
};

const pad2 = (n: number) => String(n).padStart(2, '0');
const clock = (at: Date): string =>
  `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;

const oneLine = (text: string): string => text.replace(/\r?\n/g, '\\n');

const cut = (text: string): string =>
  text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;

const errorText = (error: Error): string => {
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  return `${name}${error.message}`;
};

/** One value, never spanning lines: strings and errors quoted, numbers and booleans bare, the rest as JSON. */
export const formatValue = (value: unknown): string => {
  if (value instanceof Error) return JSON.stringify(cut(errorText(value)));
  if (typeof value === 'string') return JSON.stringify(cut(value));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  try {
    const json = JSON.stringify(value, (_key, inner: unknown) => {
      if (inner instanceof Error) return errorText(inner);
      if (typeof inner === 'bigint') return inner.toString();
      return inner;
    });
    return json === undefined ? String(value) : cut(json);
  } catch {
    return JSON.stringify(cut(String(value)));
  }
};

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

export interface LineFields {
  readonly time: Date;
  readonly level: string;
  readonly functionName?: string | undefined;
  readonly message: string;
  /** The keys of the event besides Powertools' own: appended, temporary and per call. */
  readonly keys: Readonly<Record<string, unknown>>;
}

/** The line of one log event (no trailing newline). */
export const renderLine = ({ time, level, functionName, message, keys }: LineFields): string => {
  const columns = Object.entries(COLUMN_KEYS)
    .filter(([key]) => present(keys[key]))
    .map(([key, label]) => `${label}=${typeof keys[key] === 'string' ? keys[key] : formatValue(keys[key])}`);
  const rest = Object.entries(keys)
    .filter(([key, value]) => !(key in COLUMN_KEYS) && !LEFT_OUT.has(key) && present(value))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const head = [clock(time), level.padEnd(5), functionName ? shortFunctionName(functionName) : undefined];
  return [
    head.filter(present).join(' ').trimEnd(),
    columns.length > 0 ? columns.join(' ') : undefined,
    oneLine(message),
    rest.length > 0 ? rest.join(' ') : undefined,
  ]
    .filter(present)
    .join('  ');
};

/** A log item that prints as a line (see AppLogger.printLog in logger.ts). */
export class LineLogItem extends LogItem {
  constructor(private readonly fields: Omit<LineFields, 'keys'>) {
    super({ attributes: {} });
  }

  toLine(): string {
    return renderLine({ ...this.fields, keys: this.getAttributes() });
  }
}

/** Powertools formatter of the `line` format: the standard keys become columns, the rest stay keys. */
export class LineLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LineLogItem({
      time: attributes.timestamp,
      level: String(attributes.logLevel),
      functionName: attributes.lambdaContext?.functionName,
      message: String(attributes.message ?? ''),
    }).addAttributes({
      ...(attributes.error ? { error: attributes.error } : {}),
      ...additionalLogAttributes,
    });
  }
}
