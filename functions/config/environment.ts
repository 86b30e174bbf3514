// zod/mini carries no messages: the English ones, for every Lambda (each reads its settings here).
import '../shared/zod-locale.js';
import * as z from 'zod/mini';

/*
 * Every environment variable a handler reads, once: its name, its default and its validation.
 * infra/ sets them by these names (docs/architecture.md, "Configuration"); handlers read them only
 * through `setting()`, and build their collaborators once per configuration (`perConfiguration`).
 */

interface Setting<T> {
  readonly name: string;
  /** What the variable is for: said in the error when it is missing or wrong. */
  readonly purpose: string;
  readonly schema: z.core.$ZodType<T, string | undefined>;
}

const define = <T>(
  name: string,
  purpose: string,
  schema: z.core.$ZodType<T, string | undefined>,
): Setting<T> => ({
  name,
  purpose,
  schema,
});

/** The variable, unset or not, made a value by `fn`; a wrong one is reported with `broken`. */
const fromText = <T>(fn: (raw: string | undefined, ctx: z.core.ParsePayload) => T) =>
  z.pipe(z.optional(z.string()), z.transform(fn));
/** zod/mini's transforms have no `ctx.addIssue`: the issue goes on the payload, the rule as its message. */
const broken = (ctx: z.core.ParsePayload, message: string): never => {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
  return z.NEVER;
};

const text = z.string().check(z.minLength(1));
const seconds = (fallback: number) =>
  fromText((raw, ctx) => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isFinite(value) && value >= 0) return value;
    return broken(ctx, 'must be a number >= 0');
  });
/** A whole number of days >= 1; `fallback` when unset. */
const days = (fallback: number) =>
  fromText((raw, ctx) => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isSafeInteger(value) && value >= 1) return value;
    return broken(ctx, 'must be a whole number of days >= 1');
  });
const stateMachineArns = z.pipe(
  text,
  z.transform((raw: string, ctx) => {
    try {
      return z.record(z.string(), z.string()).parse(JSON.parse(raw));
    } catch {
      return broken(ctx, 'must be a JSON object of definition name → ARN');
    }
  }),
);
const versionArns = fromText((raw, ctx) => {
  if (raw === undefined || raw === '') return undefined;
  try {
    return z.record(z.string(), z.record(z.string(), z.string())).parse(JSON.parse(raw));
  } catch {
    return broken(ctx, 'must be a JSON object of definition name → version → ARN');
  }
});

/**
 * The key prefix of step results in the RESULTS_BUCKET bucket: the only prefix the step functions
 * may read and write (IAM), and the one the bucket's lifecycle rule expires after RETENTION_DAYS.
 */
export const RESULTS_KEY_PREFIX = 'results/';
/** Where users put the item manifests fan-out steps read (`forEach.items.fromManifest`). */
export const MANIFESTS_KEY_PREFIX = 'manifests/';

/** Days kept when CDK context `retentionDays` is not given. */
export const DEFAULT_RETENTION_DAYS = 90;

export const SETTINGS = {
  workflowTable: define('WORKFLOW_TABLE_NAME', 'names the WorkflowState table', text),
  taskTable: define('TASK_TABLE_NAME', 'names the WorkflowTask table', text),
  idempotencyTable: define(
    'IDEMPOTENCY_TABLE_NAME',
    'names the table of Idempotency-Key records (unset: the header is ignored)',
    z.optional(text),
  ),
  stateMachines: define('STATE_MACHINES', 'maps definition names to state machine ARNs', stateMachineArns),
  stateMachineVersions: define(
    'STATE_MACHINE_VERSIONS',
    'maps definition names and versions to the ARNs of their Step Functions versions (unset: runs start on STATE_MACHINES)',
    versionArns,
  ),
  resultsBucket: define(
    'RESULTS_BUCKET',
    `names the app's S3 bucket; step results too large for their task item are objects under ${RESULTS_KEY_PREFIX}`,
    text,
  ),
  retentionDays: define(
    'RETENTION_DAYS',
    'is how many days finished workflows and their results are kept (table TTL, bucket lifecycle; CDK context `retentionDays`)',
    days(DEFAULT_RETENTION_DAYS),
  ),
  eventBus: define('EVENT_BUS_NAME', "names the app's event bus (unset: no events)", z.optional(text)),
  delayedStart: define(
    'DELAYED_START_STATE_MACHINE',
    'is the ARN of the delayed-start state machine (Wait, then start the recovery run)',
    z.optional(text),
  ),
  recoveryBaseDelaySeconds: define(
    'RECOVERY_BASE_DELAY_SECONDS',
    'is the first automatic-recovery delay; attempt n waits base × 2^n',
    seconds(30),
  ),
  automaticRecovery: define(
    'AUTOMATIC_RECOVERY',
    'turns automatic recovery off when `off`',
    fromText((raw) => raw !== 'off'),
  ),
  faultInjection: define(
    'FAULT_INJECTION',
    'turns `metadata.faults` on when `on` (the local stack and test stages; never a default deployment)',
    fromText((raw) => raw === 'on'),
  ),
  executionConsole: define(
    'EXECUTION_CONSOLE',
    'is `none` where there is no Step Functions console to link to (the local stack)',
    fromText((raw) => raw !== 'none'),
  ),
  logFormat: define(
    'LOG_FORMAT',
    'is `line` for one readable line per log event (set by the local stack; JSON otherwise)',
    fromText((raw) => (raw?.trim().toLowerCase() === 'line' ? 'line' : 'json')),
  ),
  indexMigration: define(
    'INDEX_MIGRATION',
    'is the stage of a move from the first index layout (docs/dynamodb.md, "Migration"): `legacy-reads` or `dual-writes`; unset: done',
    z.optional(z.enum(['legacy-reads', 'dual-writes'])),
  ),
  consoleOrigins: define(
    'CONSOLE_ORIGINS',
    'lists the origins (comma-separated) of web consoles the API answers CORS for (CDK context `consoleOrigins`)',
    fromText((raw) =>
      (raw ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    ),
  ),
  reconcileStaleAfterSeconds: define(
    'RECONCILE_STALE_AFTER_SECONDS',
    'is the age after which the reconciler repairs a record whose execution is gone',
    seconds(600),
  ),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.output<(typeof SETTINGS)[K]['schema']>;
export type Environment = Readonly<Record<string, string | undefined>>;

/** The value a setting takes when its variable is unset (infra/ writes it out explicitly). */
export const defaultOf = <K extends SettingKey>(key: K): SettingValue<K> => setting(key, {});

/** The variable's name: what infra/ sets and the local stack overrides. */
export const envName = (key: SettingKey): string => SETTINGS[key].name;

/** One setting's value from `env`, or an error naming the variable, its purpose and the rule broken. */
export const setting = <K extends SettingKey>(key: K, env: Environment = process.env): SettingValue<K> => {
  const { name, purpose, schema } = SETTINGS[key];
  const parsed = z.safeParse(schema as z.core.$ZodType<SettingValue<K>, string | undefined>, env[name]);
  if (parsed.success) return parsed.data;
  const rule = env[name] === undefined ? 'is not set' : (parsed.error.issues[0]?.message ?? 'is invalid');
  throw new Error(`Environment variable ${name} ${rule}: it ${purpose}`);
};

/**
 * The one caching scheme of the composition roots: `build` runs once per distinct value of the
 * variables it reads (once per Lambda container; again only when the local stack, which may host
 * several apps in one process, changes them).
 */
export const perConfiguration = <T>(
  keys: readonly SettingKey[],
  build: (env: Environment) => T,
): ((env?: Environment) => T) => {
  let cached: { key: string; value: T } | undefined;
  return (env = process.env) => {
    // The SDK endpoints too: clients built for one local app must not outlive its servers.
    const endpoints = Object.keys(env)
      .filter((name) => name.startsWith('AWS_ENDPOINT_URL'))
      .sort()
      .map((name) => `${name}=${env[name]}`);
    const key = JSON.stringify([...keys.map((k) => env[envName(k)] ?? null), ...endpoints]);
    if (cached?.key !== key) cached = { key, value: build(env) };
    return cached.value;
  };
};
