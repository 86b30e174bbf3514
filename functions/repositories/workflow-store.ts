import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import * as z from 'zod/mini';
import { ValidationError } from '../domain/errors.js';
import { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { batchGet } from './batch-get.js';
import { EXPIRES_AT, Expr, isConditionFailure, isExpired, oldItemOf } from './conditions.js';
import { type Item, toTaskItem, toWorkflowItem, workflowKey } from './items.js';
import { WORKFLOW_TABLE } from './table-schema.js';

/*
 * Creation without transactions (docs/architecture.md, "Storage"). The task items are written first and the workflow
 * item last, with attribute_not_exists: the workflow item is the commit point. Every reader starts
 * from it (getById, the workflow listings), so tasks left behind by a creation that died midway
 * are unreachable; the task listings that span workflows check each page's parents (liveWorkflowIds).
 */

export interface WorkflowStoreContext {
  readonly doc: DynamoDBDocumentClient;
  /** Table names, as from tableNamesFromEnv(). */
  readonly workflows: string;
  readonly tasks: string;
  readonly now?: () => Date;
}

export interface NewWorkflowInput {
  readonly jobId: string;
  readonly definitionName: string;
  readonly definitionVersion: string;
  readonly metadata?: Record<string, unknown>;
  readonly correlationId?: string;
  /** @default 3, as a definition's own default (docs/behaviour.md, "Definitions"). */
  readonly maxRecoveryAttempts?: number;
  /** Retention, epoch seconds; the tasks get the same. */
  readonly expiresAt?: number;
}

export interface NewTaskInput {
  readonly taskName: string;
  readonly taskType: string;
  readonly maxRetries: number;
  readonly timeout: number;
  readonly estimatedDuration?: number;
  readonly dependencies?: readonly number[];
  readonly nonRetryable?: readonly string[];
}

const BATCH_WRITE_SIZE = 25;
const MAX_BATCH_TRIES = 8;

const backoff = (tries: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** tries)));

const parse = <T>(schema: z.core.$ZodType<T>, value: unknown, path: string): T => {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [path, ...issue.path].join('.'),
    rule: issue.code,
    message: issue.message,
  }));
  throw new ValidationError(
    `Invalid ${path}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    issues,
  );
};

export const createWorkflowWithTasks = async (
  context: WorkflowStoreContext,
  input: { workflow: NewWorkflowInput; tasks: readonly NewTaskInput[] },
): Promise<WorkflowRecord> => {
  const now = (context.now ?? (() => new Date()))();
  const at = now.toISOString();
  const workflowId = ulid(now.getTime());
  // The first run's token: written with the tasks at no extra cost (docs/behaviour.md, "Runs").
  const runToken = ulid(now.getTime());
  const { expiresAt } = input.workflow;
  const workflow = parse(
    WorkflowRecord,
    {
      workflowId,
      jobId: input.workflow.jobId,
      definitionName: input.workflow.definitionName,
      definitionVersion: input.workflow.definitionVersion,
      status: 'pending',
      currentStep: 0,
      totalSteps: input.tasks.length,
      progress: 0,
      metadata: input.workflow.metadata ?? {},
      correlationId: input.workflow.correlationId,
      recoveryAttempts: 0,
      maxRecoveryAttempts: input.workflow.maxRecoveryAttempts ?? 3,
      executionArns: [],
      runToken,
      completedSteps: [],
      pauseTokens: {},
      createdAt: at,
      updatedAt: at,
      expiresAt,
    },
    'workflow',
  );
  const tasks = input.tasks.map((task, stepIndex) =>
    parse(
      TaskRecord,
      {
        ...task,
        workflowId,
        stepIndex,
        status: 'pending',
        retryCount: 0,
        attempts: 0,
        totalAttempts: 0,
        nonRetryable: task.nonRetryable ?? [],
        dependencies: task.dependencies ?? [],
        estimatedDuration: task.estimatedDuration ?? 0,
        result: {},
        runToken,
        createdAt: at,
        updatedAt: at,
        expiresAt,
      },
      `tasks.${stepIndex}`,
    ),
  );
  for (let i = 0; i < tasks.length; i += BATCH_WRITE_SIZE)
    await batchPut(context.doc, context.tasks, tasks.slice(i, i + BATCH_WRITE_SIZE).map(toTaskItem));
  const e = new Expr();
  try {
    await context.doc.send(
      new PutCommand({
        TableName: context.workflows,
        Item: toWorkflowItem(workflow),
        ConditionExpression: `attribute_not_exists(${e.name(WORKFLOW_TABLE.partitionKey.name)})`,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ...e.attributes(),
      }),
    );
  } catch (error) {
    // The SDK sent the put again after its answer was lost: the item there is this one (its run
    // token is unique), so the creation is done. Anything else is a real conflict.
    if (!(isConditionFailure(error) && (await storedRunToken(context, workflowId, error)) === runToken))
      throw error;
  }
  return workflow;
};

/** The run token of the workflow item a failed put found: from the failure, else read. */
const storedRunToken = async (
  context: WorkflowStoreContext,
  workflowId: string,
  error: unknown,
): Promise<unknown> => {
  const old = oldItemOf(error);
  if (old) return old.runToken?.S;
  const out = await context.doc.send(
    new GetCommand({ TableName: context.workflows, Key: workflowKey(workflowId), ConsistentRead: true }),
  );
  return out.Item?.runToken;
};

const batchPut = async (doc: DynamoDBDocumentClient, table: string, items: Item[]): Promise<void> => {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let tries = 0; requests.length > 0; tries += 1) {
    if (tries >= MAX_BATCH_TRIES)
      throw new Error(`BatchWrite to ${table}: ${requests.length} items unprocessed`);
    if (tries > 0) await backoff(tries);
    const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
};

/**
 * Which of `ids` have a live (present, unexpired) workflow item. Cost: one consistent BatchGet per
 * page of a cross-workflow task listing, one read unit per distinct parent (≤ 100 per page), in
 * exchange for never showing the tasks of a creation that did not commit.
 */
export const liveWorkflowIds = async (
  doc: DynamoDBDocumentClient,
  table: string,
  ids: readonly string[],
  now: Date,
): Promise<Set<string>> => {
  const idName = WORKFLOW_TABLE.partitionKey.name;
  const items = await batchGet(doc, table, ids.map(workflowKey), [idName, EXPIRES_AT]);
  return new Set(items.filter((item) => !isExpired(item, now)).map((item) => String(item[idName])));
};
