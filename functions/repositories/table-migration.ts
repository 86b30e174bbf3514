import type { IndexSchema, TableSchema } from './table-schema.js';
import { TASK_TABLE, WORKFLOW_TABLE } from './table-schema.js';

/*
 * The first index layout (every GSI projecting ALL, status keys unsharded) and the sequence of
 * deploys that moves a stage with data from it to table-schema.ts: CloudFormation adds or deletes
 * one GSI per table per update, so each step differs from the one before by at most one GSI per
 * table (docs/dynamodb.md, "Migration").
 */

const S = (name: string) => ({ name, type: 'S' as const });
const N = (name: string) => ({ name, type: 'N' as const });
const legacy = (
  partitionKey: ReturnType<typeof S>,
  sortKey: ReturnType<typeof S> | ReturnType<typeof N>,
  documents: string,
): IndexSchema => ({ partitionKey, sortKey, documents, shards: 1, projection: 'ALL' });

/** The first layout's GSIs, in the order the migration deletes them. */
export const LEGACY_GSIS: Readonly<Record<string, Readonly<Record<string, IndexSchema>>>> = {
  [WORKFLOW_TABLE.logicalName]: {
    byJob: legacy(S('jobId'), S('createdAt'), 'workflow_states.job_id'),
    byStatus: legacy(S('status'), S('createdAt'), 'workflow_states.status'),
    byJobStatus: legacy(S('jobStatus'), S('createdAt'), 'workflow_states.(job_id, status)'),
    byCreated: legacy(S('createdDay'), S('createdAt'), 'workflow_states.created_at'),
  },
  [TASK_TABLE.logicalName]: {
    byStatus: legacy(S('status'), S('createdAt'), 'workflow_tasks.status'),
    byExecution: legacy(S('executionArn'), N('stepIndex'), 'workflow_tasks.celery_task_id'),
    byWorkflowStatus: legacy(S('workflowId'), S('status'), 'workflow_tasks.(workflow_id, status)'),
    byCreated: legacy(S('createdDay'), S('createdAt'), 'workflow_tasks.created_at'),
  },
};

const legacyOf = (table: string, name: string) => ({
  name,
  index: LEGACY_GSIS[table]?.[name] as IndexSchema,
});

/** The first layout's index for each workflow access path (index-keys.ts); it had no `unsettled`. */
export const LEGACY_WORKFLOW_INDEXES = {
  job: legacyOf(WORKFLOW_TABLE.logicalName, 'byJob'),
  status: legacyOf(WORKFLOW_TABLE.logicalName, 'byStatus'),
  jobStatus: legacyOf(WORKFLOW_TABLE.logicalName, 'byJobStatus'),
  created: legacyOf(WORKFLOW_TABLE.logicalName, 'byCreated'),
  unsettled: undefined,
} as const;

export const LEGACY_TASK_INDEXES = {
  status: legacyOf(TASK_TABLE.logicalName, 'byStatus'),
  created: legacyOf(TASK_TABLE.logicalName, 'byCreated'),
} as const;

const tables: readonly TableSchema[] = [WORKFLOW_TABLE, TASK_TABLE];
const newCount = Math.max(...tables.map((t) => Object.keys(t.indexes).length));
const oldCount = Math.max(...tables.map((t) => Object.keys(LEGACY_GSIS[t.logicalName] ?? {}).length));

/**
 * Step 0 is the first layout as deployed; steps 1..ADDED add the new GSIs one per table per deploy (reads stay on the old ones); the
 * backfill runs after step ADDED; the steps after it switch reads to the new GSIs and delete the
 * old ones one per deploy; no step (the default) is the finished layout.
 */
export const ADDED_AT_STEP = newCount;
export const MIGRATION_STEPS = newCount + oldCount;

export type IndexMigration = 'legacy-reads' | 'dual-writes' | undefined;

/** What the functions of a stage at `step` read and write (the INDEX_MIGRATION setting). */
export const migrationModeAt = (step: number | undefined): IndexMigration =>
  step === undefined ? undefined : step <= ADDED_AT_STEP ? 'legacy-reads' : 'dual-writes';

export const assertMigrationStep = (step: number | undefined): void => {
  if (step !== undefined && !(Number.isInteger(step) && step >= 0 && step <= MIGRATION_STEPS))
    throw new Error(`indexMigration must be a whole number from 0 to ${MIGRATION_STEPS}, or absent`);
};

/** The GSIs a table has at a migration step, in creation order. */
export const gsisAt = (table: TableSchema, step: number | undefined): [string, IndexSchema][] => {
  assertMigrationStep(step);
  const lean = Object.entries(table.indexes);
  if (step === undefined) return lean;
  const old = Object.entries(LEGACY_GSIS[table.logicalName] ?? {});
  if (step <= ADDED_AT_STEP) return [...old, ...lean.slice(0, step)];
  return [...old.slice(step - ADDED_AT_STEP), ...lean];
};

/** What one deploy changes on a table: the GSIs it creates and deletes (at most one of each kind). */
export const gsiChanges = (
  table: TableSchema,
  from: number | undefined,
  to: number | undefined,
): { create: [string, IndexSchema][]; delete: string[] } => {
  const before = new Set(gsisAt(table, from).map(([name]) => name));
  const after = gsisAt(table, to);
  const names = new Set(after.map(([name]) => name));
  return {
    create: after.filter(([name]) => !before.has(name)),
    delete: [...before].filter((name) => !names.has(name)),
  };
};
