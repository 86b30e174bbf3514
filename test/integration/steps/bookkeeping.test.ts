import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StepEvent } from '../../../functions/contract/execution.js';
import {
  FatalStepError,
  StaleExecutionError,
  WorkflowCancelledError,
  WorkflowPausedError,
} from '../../../functions/domain/errors.js';
import type { WorkflowRecord } from '../../../functions/domain/records.js';
import type { Repositories } from '../../../functions/repositories/from-env.js';
import { TaskRepository } from '../../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../../functions/repositories/workflow-repository.js';
import { createWorkflowWithTasks } from '../../../functions/repositories/workflow-store.js';
import { MAX_RESULT_BYTES, ResultStore } from '../../../functions/results/result-store.js';
import { createStepHandler } from '../../../functions/steps/create-step-handler.js';
import type { StepContext } from '../../../functions/steps/step-context.js';
import { createTestTables, type TestTables } from '../../support/tables.js';

// The step middleware (functions/steps/bookkeeping.ts) against real tables: what one step invocation
// writes, and which errors the workflow's state becomes for the state machine's Retry and Catch
// (docs/architecture.md, "The path of one step"; docs/behaviour.md, "Pause and resume", "Cancel").

let tables: TestTables;
let repos: Repositories;
let s3: S3Client;
let store: ResultStore;
const bucket = `results-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  tables = await createTestTables();
  s3 = new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new ResultStore(s3, bucket);
  repos = {
    workflows: new WorkflowRepository({ doc: tables.doc, tableName: tables.names.workflows }),
    tasks: new TaskRepository({
      doc: tables.doc,
      tableName: tables.names.tasks,
      workflowTableName: tables.names.workflows,
    }),
  };
});
afterAll(async () => {
  s3.destroy();
  await tables.drop();
});

const STEPS = ['first', 'second'];
const executionArnOf = (workflowId: string) =>
  `arn:aws:states:us-east-1:000000000000:execution:job-orchestrator-dev-test:${workflowId}-1`;

/** A two-step workflow whose execution is running. */
const runningWorkflow = async (): Promise<WorkflowRecord> => {
  const created = await createWorkflowWithTasks(
    { doc: tables.doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    {
      workflow: { jobId: `job-${randomUUID()}`, definitionName: 'test', definitionVersion: '1' },
      tasks: STEPS.map((name) => ({ taskName: name, taskType: 'noop', maxRetries: 2, timeout: 30 })),
    },
  );
  return repos.workflows.markRunning(created.workflowId, {
    executionArn: executionArnOf(created.workflowId),
  });
};

const stepEvent = (workflow: WorkflowRecord, overrides: Partial<StepEvent> = {}): StepEvent => ({
  workflowId: workflow.workflowId,
  jobId: workflow.jobId,
  definition: 'test',
  step: 'first',
  stepIndex: 0,
  stepNames: STEPS,
  maxRetries: 2,
  nonRetryable: [],
  completesWorkflow: false,
  executionArn: workflow.executionArn as string,
  dependencies: [],
  ...overrides,
});

const lambdaContext = (): Context =>
  ({
    functionName: 'step-first',
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

/** A handler whose work is `work`, counting how often it runs. */
const handlerOf = (work: (context: StepContext) => Promise<Record<string, unknown>>) => {
  const runs: StepContext[] = [];
  const handler = createStepHandler(
    async (context) => {
      runs.push(context);
      return work(context);
    },
    () => repos,
    () => store,
  );
  return { runs, invoke: (event: unknown) => handler(event, lambdaContext()) };
};

const taskOf = (workflow: WorkflowRecord, stepIndex = 0) => repos.tasks.get(workflow.workflowId, stepIndex);

describe('step bookkeeping', () => {
  it('marks the task running before the work and completed with its result after, and counts the step', async () => {
    const workflow = await runningWorkflow();
    const during: unknown[] = [];
    const step = handlerOf(async () => {
      during.push((await taskOf(workflow))?.status);
      return { count: 3 };
    });
    // The state machine gets the result's reference; the result is with the task.
    await expect(step.invoke(stepEvent(workflow))).resolves.toEqual({ stored: 'task', bytes: 11 });
    expect(during).toEqual(['running']);
    expect(await taskOf(workflow)).toMatchObject({
      status: 'completed',
      attempts: 1,
      result: { count: 3 },
      executionArn: workflow.executionArn,
    });
    expect(await repos.workflows.getById(workflow.workflowId)).toMatchObject({
      status: 'running',
      currentStep: 1,
      progress: 50,
    });
  });

  it("gives the step its attempt, the workflow metadata and, when asked, its dependencies' results by name", async () => {
    const workflow = await runningWorkflow();
    await handlerOf(async () => ({ count: 3 })).invoke(stepEvent(workflow));
    const seen: unknown[] = [];
    const step = handlerOf(async (context) => {
      seen.push(await context.results());
      return {};
    });
    await step.invoke(stepEvent(workflow, { step: 'second', stepIndex: 1, dependencies: [0] }));
    expect(step.runs[0]).toMatchObject({
      workflowId: workflow.workflowId,
      jobId: workflow.jobId,
      step: 'second',
      stepIndex: 1,
      attempt: 1,
      metadata: {},
    });
    expect(seen).toEqual([{ first: { count: 3 } }]);
  });

  it('reads dependencies only when asked, once per invocation, and only those the step depends on', async () => {
    const workflow = await runningWorkflow();
    await handlerOf(async () => ({ count: 3 })).invoke(stepEvent(workflow));
    let reads = 0;
    const counting = Object.create(repos.tasks) as Repositories['tasks'];
    counting.getMany = (...args) => {
      reads++;
      return repos.tasks.getMany(...args);
    };
    const handler = (work: (context: StepContext) => Promise<Record<string, unknown>>) =>
      createStepHandler(
        work,
        () => ({ ...repos, tasks: counting }),
        () => store,
      );
    const second = { step: 'second', stepIndex: 1 };
    await handler(async () => ({}))(stepEvent(workflow, { ...second, dependencies: [0] }), lambdaContext());
    expect(reads).toBe(0);

    const other = await runningWorkflow();
    await handlerOf(async () => ({ count: 4 })).invoke(stepEvent(other));
    const seen: unknown[] = [];
    await handler(async (context) => {
      seen.push(await context.results(), await context.results());
      return {};
    })(stepEvent(other, { ...second, dependencies: [] }), lambdaContext());
    // Not a dependency: not read, though it is done.
    expect(seen).toEqual([{}, {}]);
    expect(reads).toBe(1);
  });

  it('keeps a result over 1 KB in the bucket, and a dependent reads it back whole', async () => {
    const workflow = await runningWorkflow();
    const big = { blob: 'x'.repeat(5 * 1024 * 1024) };
    const reference = await handlerOf(async () => big).invoke(stepEvent(workflow));
    const bytes = Buffer.byteLength(JSON.stringify(big));
    expect(reference).toEqual({ stored: 's3', bytes });
    const task = await taskOf(workflow);
    expect(task).toMatchObject({ status: 'completed', result: {}, resultObject: { bucket, bytes } });
    expect(task?.resultObject?.key).toMatch(new RegExp(`^results/${workflow.workflowId}/0/`));

    const seen: Record<string, unknown>[] = [];
    await handlerOf(async (context) => {
      seen.push(await context.results());
      return {};
    }).invoke(stepEvent(workflow, { step: 'second', stepIndex: 1, dependencies: [0] }));
    expect(seen[0]).toEqual({ first: big });
  });

  it('fails a dependent at once, naming the step, when a stored result is gone (expired)', async () => {
    const workflow = await runningWorkflow();
    await handlerOf(async () => ({ blob: 'x'.repeat(4096) })).invoke(stepEvent(workflow));
    const key = (await taskOf(workflow))?.resultObject?.key as string;
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const attempt = handlerOf(async (context) => {
      await context.results();
      return {};
    }).invoke(stepEvent(workflow, { step: 'second', stepIndex: 1, dependencies: [0] }));
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow('The result of step "first" is no longer stored');
  });

  it('fails a result over 50 MB at once, naming the step and the limit, and records nothing', async () => {
    const workflow = await runningWorkflow();
    const step = handlerOf(async () => ({ blob: 'x'.repeat(MAX_RESULT_BYTES) }));
    const attempt = step.invoke(stepEvent(workflow));
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow(/step "first" .* over the limit of 52428800 bytes \(50 MB\)/);
    expect(await taskOf(workflow)).toMatchObject({ status: 'running' });
    expect(await repos.workflows.getById(workflow.workflowId)).toMatchObject({ currentStep: 0 });
  });

  it('serves an execution started before results left the state with the results it carries', async () => {
    const workflow = await runningWorkflow();
    const seen: unknown[] = [];
    const step = handlerOf(async (context) => {
      seen.push(await context.results());
      return {};
    });
    const { dependencies: _, ...legacy } = stepEvent(workflow, { step: 'second', stepIndex: 1 });
    await step.invoke({ ...legacy, results: { s0: { count: 3 } } });
    expect(seen).toEqual([{ first: { count: 3 } }]);
  });

  it('answers a repeated invocation after completion with the stored result, running nothing and counting nothing', async () => {
    const workflow = await runningWorkflow();
    const step = handlerOf(async () => ({ count: 3 }));
    await step.invoke(stepEvent(workflow));
    await expect(step.invoke(stepEvent(workflow))).resolves.toEqual({ stored: 'task', bytes: 11 });
    expect(step.runs).toHaveLength(1);
    expect(await taskOf(workflow)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await repos.workflows.getById(workflow.workflowId)).toMatchObject({ currentStep: 1 });
  });

  it('completes the workflow with the progress write of a step that completes it', async () => {
    const workflow = await runningWorkflow();
    const step = handlerOf(async () => ({}));
    await step.invoke(stepEvent(workflow));
    await step.invoke(stepEvent(workflow, { step: 'second', stepIndex: 1, completesWorkflow: true }));
    expect(await repos.workflows.getById(workflow.workflowId)).toMatchObject({
      status: 'completed',
      currentStep: 2,
      progress: 100,
    });
  });

  it('throws WorkflowPausedError for a paused workflow, before the task starts', async () => {
    const workflow = await runningWorkflow();
    await repos.workflows.markPaused(workflow.workflowId);
    const step = handlerOf(async () => ({}));
    await expect(step.invoke(stepEvent(workflow))).rejects.toThrow(WorkflowPausedError);
    expect(step.runs).toHaveLength(0);
    expect(await taskOf(workflow)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('throws WorkflowCancelledError for a cancelled workflow', async () => {
    const workflow = await runningWorkflow();
    await repos.workflows.markCancelled(workflow.workflowId);
    const step = handlerOf(async () => ({}));
    await expect(step.invoke(stepEvent(workflow))).rejects.toThrow(WorkflowCancelledError);
    expect(step.runs).toHaveLength(0);
  });

  it('throws StaleExecutionError when another execution now runs the workflow', async () => {
    const workflow = await runningWorkflow();
    const step = handlerOf(async () => ({}));
    const stale = stepEvent(workflow, { executionArn: `${workflow.executionArn}-replaced` });
    await expect(step.invoke(stale)).rejects.toThrow(StaleExecutionError);
    expect(step.runs).toHaveLength(0);
    expect(await taskOf(workflow)).toMatchObject({ status: 'pending' });
  });

  it('marks the task retrying, with the error, when Step Functions will try the step again', async () => {
    const workflow = await runningWorkflow();
    const step = handlerOf(async () => {
      throw new Error('flaky');
    });
    await expect(step.invoke(stepEvent(workflow))).rejects.toThrow('flaky');
    expect(await taskOf(workflow)).toMatchObject({
      status: 'retrying',
      attempts: 1,
      errorType: 'Error',
      errorMessage: 'flaky',
    });
  });

  it('leaves a fatal error, or one after the last attempt, to the state machine to record', async () => {
    const fatal = await runningWorkflow();
    const failing = handlerOf(async () => {
      throw new FatalStepError('bad input');
    });
    await expect(failing.invoke(stepEvent(fatal))).rejects.toThrow(FatalStepError);
    expect(await taskOf(fatal)).toMatchObject({ status: 'running' });

    const last = await runningWorkflow();
    const flaky = handlerOf(async () => {
      throw new Error('flaky');
    });
    await expect(flaky.invoke(stepEvent(last, { maxRetries: 0 }))).rejects.toThrow('flaky');
    expect(await taskOf(last)).toMatchObject({ status: 'running' });
  });

  it('discards the result of an attempt Step Functions gave up on (a newer attempt started)', async () => {
    const workflow = await runningWorkflow();
    const key = { workflowId: workflow.workflowId, stepIndex: 0 };
    const step = handlerOf(async () => {
      await repos.tasks.startAttempt(key, { executionArn: workflow.executionArn as string });
      return { late: true };
    });
    await step.invoke(stepEvent(workflow));
    expect(await taskOf(workflow)).toMatchObject({ status: 'running', attempts: 2 });
    expect(await repos.workflows.getById(workflow.workflowId)).toMatchObject({ currentStep: 0 });
  });

  it('refuses an event that is not a step event as fatal', async () => {
    const step = handlerOf(async () => ({}));
    await expect(step.invoke({ workflowId: 'w' })).rejects.toThrow(FatalStepError);
  });
});
