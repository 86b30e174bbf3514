import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  type ResultReference,
  type StepEvent,
  StepEvent as StepEventSchema,
  stepKey,
} from '../contract/execution.js';
import {
  FatalStepError,
  InvalidTransitionError,
  StaleExecutionError,
  WorkflowCancelledError,
  WorkflowPausedError,
} from '../domain/errors.js';
import type { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { resultReferenceOf } from '../domain/results.js';
import type { Repositories } from '../repositories/from-env.js';
import type { Attempt } from '../repositories/task-repository.js';
import { inlineResult, type ResultStore, resultStoreFromEnv } from '../results/result-store.js';
import { logger } from '../shared/logger.js';
import { recordStepAttempt, recordWorkflowFinished } from '../shared/metrics.js';
import { applyFaults } from './faults.js';
import type { StepContext } from './step-context.js';

/** What the middleware hands to the step: its context, or the stored result of a step already done. */
export interface StepInvocation {
  readonly context: StepContext;
  readonly event: StepEvent;
  readonly attempt: number;
  readonly startedAt?: string;
  /** The step completed in this run already (a repeated invocation): its reference, and nothing runs. */
  readonly done?: ResultReference;
  /** For the per-task-type metrics: the task's type and when this invocation began (epoch ms). */
  readonly taskType: string;
  readonly began: number;
  /** Attempts of this step over every run, this one included: what fault injection counts. */
  readonly totalAttempts: number;
}

/** The middleware hands the invocation to the handler on the Lambda context, as middy middlewares do. */
export type StepLambdaContext = Context & { step?: StepInvocation };
export type StepRequest = middy.Request<unknown, Record<string, unknown>, Error, StepLambdaContext>;

/**
 * The results a step depends on, by step name, read once when first asked for: one batched read
 * of the dependencies' tasks, then the bucket for the large ones (docs/behaviour.md, "Results").
 * An execution started before results left the state carries them itself (no `dependencies`).
 */
const dependencyResults = (tasks: Repositories['tasks'], store: () => ResultStore, event: StepEvent) => {
  let loaded: Promise<Record<string, unknown>> | undefined;
  const load = async (): Promise<Record<string, unknown>> => {
    const legacy = event.results ?? {};
    if (!event.dependencies)
      return Object.fromEntries(
        event.stepNames.flatMap((name, index) =>
          stepKey(index) in legacy ? [[name, legacy[stepKey(index)]]] : [],
        ),
      );
    const stored = await tasks.getMany(event.workflowId, event.dependencies);
    const results = await Promise.all(
      stored.map(
        async (task) => [task.taskName, task.resultObject ? await store().load(task) : task.result] as const,
      ),
    );
    return Object.fromEntries(results);
  };
  return () => {
    loaded ??= load();
    return loaded;
  };
};

/** The cheap checks at the step boundary: a cancelled or replaced run stops here. */
export const checkWorkflow = (workflow: WorkflowRecord | undefined, event: StepEvent): WorkflowRecord => {
  if (!workflow) throw new FatalStepError(`Workflow not found: ${event.workflowId}`);
  if (workflow.status === 'cancelled')
    throw new WorkflowCancelledError(`Workflow ${workflow.workflowId} was cancelled`);
  if (workflow.executionArn !== event.executionArn || !['running', 'paused'].includes(workflow.status)) {
    throw new StaleExecutionError(
      `Execution ${event.executionArn} no longer runs workflow ${workflow.workflowId}`,
    );
  }
  // Executions started before runs had tokens park before their task is touched, as they always did.
  if (workflow.status === 'paused' && !event.runToken)
    throw new WorkflowPausedError(`Workflow ${workflow.workflowId} is paused`);
  return workflow;
};

/**
 * Starts this invocation's attempt: the task write that proves the step may run (docs/behaviour.md,
 * "Runs" and "Cancel"). It names the run, so a late invocation of an earlier run changes nothing; a
 * cancel cancels the task first, so no step starts after it. A pause parks only a step that has not
 * started in this run: a retry goes on, so pausing never resets a retry count or its backoff.
 */
export const startStep = async (
  tasks: Repositories['tasks'],
  workflow: WorkflowRecord,
  event: StepEvent,
): Promise<TaskRecord> => {
  const paused = workflow.status === 'paused';
  const key = { workflowId: event.workflowId, stepIndex: event.stepIndex };
  const { executionArn, runToken } = event;
  try {
    return await tasks.startAttempt(key, {
      executionArn,
      ...(runToken ? { runToken } : {}),
      retryOnly: paused,
    });
  } catch (error) {
    if (!(error instanceof InvalidTransitionError)) throw error;
    const stored = await tasks.get(event.workflowId, event.stepIndex);
    const thisRun = !runToken || stored?.runToken === undefined || stored.runToken === runToken;
    // Completed by an earlier invocation of this run: only its bookkeeping is finished.
    if (stored?.status === 'completed' && thisRun) return stored;
    if (stored?.status === 'cancelled')
      throw new WorkflowCancelledError(`Workflow ${event.workflowId} was cancelled`);
    if (!thisRun) {
      logger.warn('late invocation of an earlier run: no effect', { taskRun: stored?.runToken });
      throw new StaleExecutionError(`Execution ${executionArn} no longer runs step ${event.step}`);
    }
    if (paused) throw new WorkflowPausedError(`Workflow ${event.workflowId} is paused`);
    throw error;
  }
};

/** This invocation's attempt, in the run it belongs to: what its outcome writes are conditioned on. */
const attemptOf = (invocation: StepInvocation): Attempt => ({
  number: invocation.attempt,
  ...(invocation.event.runToken ? { runToken: invocation.event.runToken } : {}),
});

// Annotated: an inferred type predicate would narrow Error to never (these classes add no members).
export const isFlowControl = (error: Error): boolean =>
  error instanceof WorkflowPausedError ||
  error instanceof WorkflowCancelledError ||
  error instanceof StaleExecutionError;

/** The invocation of a step's attempt as its task stands: `done` when completed in this run. */
export const invocationOf = (
  context: StepContext,
  event: StepEvent,
  task: TaskRecord,
  began: number,
): StepInvocation => ({
  context,
  event,
  attempt: task.attempts,
  taskType: task.taskType,
  began,
  totalAttempts: task.totalAttempts,
  ...(task.startedAt ? { startedAt: task.startedAt } : {}),
  ...(task.status === 'completed' ? { done: resultReferenceOf(task) } : {}),
});

/**
 * Before the step's work: the pause/cancel check (1 read) and the attempt's start (write 1). A step
 * already completed in this run comes back `done`, and nothing runs.
 */
export const beginStep = async (
  repos: Repositories,
  results: () => ResultStore,
  event: StepEvent,
  { began, remainingTimeMs }: { began: number; remainingTimeMs: () => number },
): Promise<StepInvocation> => {
  // Set first, so even a failed read below logs under the id of the request that started the run.
  if (event.correlationId) logger.setCorrelationId(event.correlationId);
  const { workflows, tasks } = repos;
  const workflow = checkWorkflow(await workflows.getById(event.workflowId), event);
  const task = await startStep(tasks, workflow, event);
  const context: StepContext = {
    workflowId: event.workflowId,
    jobId: event.jobId,
    step: event.step,
    stepIndex: event.stepIndex,
    attempt: task.attempts,
    metadata: workflow.metadata,
    results: dependencyResults(tasks, results, event),
    remainingTimeMs,
  };
  logger.appendKeys({
    workflowId: event.workflowId,
    jobId: event.jobId,
    step: event.step,
    attempt: task.attempts,
  });
  return invocationOf(context, event, task, began);
};

/**
 * The step's own work may begin: its injected faults apply now, once the invocation is known, so a
 * failure they cause is recorded like any other (the task marked retrying).
 */
export const startWork = async (invocation: StepInvocation): Promise<void> => {
  if (invocation.done) return;
  logger.info('step started');
  await applyFaults(invocation.context, invocation.totalAttempts);
};

/**
 * After the step's work: stores the result (the task item, or the bucket when large), completes the
 * attempt (write 2) and moves the workflow's progress (write 3). Answers with the result's reference.
 * A repeated invocation of a step done in this run only finishes the progress write.
 */
export const completeStep = async (
  { workflows, tasks }: Repositories,
  store: () => ResultStore,
  invocation: StepInvocation,
  result: Record<string, unknown>,
): Promise<Record<string, unknown>> => {
  const { workflowId } = invocation.context;
  const { event } = invocation;
  // The execution state gets the result's reference, never the result (docs/behaviour.md, "Results").
  let response: Record<string, unknown>;
  if (invocation.done) response = { ...invocation.done };
  else {
    // The bucket only for a result that needs it: a small one never touches S3 (nor its settings).
    const stored =
      inlineResult(result) ??
      (await store().save(
        {
          workflowId,
          step: event.step,
          stepIndex: event.stepIndex,
          attempt: invocation.attempt,
          ...(event.runToken ? { runToken: event.runToken } : {}),
        },
        result,
      ));
    response = stored.reference;
    const current = await tasks.completeAttempt(
      { workflowId, stepIndex: event.stepIndex },
      attemptOf(invocation),
      {
        result: stored.result,
        ...(stored.resultObject ? { resultObject: stored.resultObject } : {}),
        ...(invocation.startedAt ? { startedAt: invocation.startedAt } : {}),
      },
    );
    if (!current) {
      logger.warn('late attempt: its result is discarded');
      return response;
    }
  }
  const progress = await workflows.recordStepCompleted(workflowId, event.step, {
    completesWorkflow: event.completesWorkflow,
    executionArn: event.executionArn,
  });
  if (!invocation.done) recordStepAttempt(invocation.taskType, 'completed', Date.now() - invocation.began);
  if (progress.completed) recordWorkflowFinished('completed');
  logger.info('step completed', { progress: progress.progress, workflowCompleted: progress.completed });
  return response;
};

/** A failed attempt: the task is marked retrying when Step Functions will try again (flow control aside). */
export const recordAttemptFailure = async (
  repos: Repositories,
  invocation: StepInvocation,
  error: Error,
): Promise<void> => {
  if (isFlowControl(error)) return;
  const { event, attempt, context } = invocation;
  const retryable = !(error instanceof FatalStepError) && !event.nonRetryable.includes(error.name);
  logger.warn('step attempt failed', { error: error.message, errorType: error.name, retryable });
  const retried = retryable && attempt <= event.maxRetries;
  recordStepAttempt(invocation.taskType, retried ? 'retried' : 'failed', Date.now() - invocation.began);
  if (!retried) return;
  const key = { workflowId: context.workflowId, stepIndex: event.stepIndex };
  await repos.tasks
    .markRetrying(key, attemptOf(invocation), { errorType: error.name, errorMessage: error.message })
    .then((recorded) => {
      // Another attempt, a cancel or a later run owns the task now: this one changes nothing.
      if (!recorded) logger.warn('attempt no longer current (a later attempt or run): no effect');
    })
    .catch((cause: unknown) => logger.error('could not record retrying', { cause }));
};

/**
 * Per-step bookkeeping around a step's own work, within the step's own invocation (no extra Lambda):
 * before — pause/cancel check (1 read), attempt start (write 1), fault injection;
 * after — task completed with result and duration (write 2), workflow progress (write 3);
 * on error — the task is marked retrying when Step Functions will try again.
 * Failures after the last attempt are recorded by the state machine itself (Catch).
 */
export const stepBookkeeping = (
  repos: () => Repositories,
  results: () => ResultStore = resultStoreFromEnv,
): middy.MiddlewareObj<unknown, Record<string, unknown>, Error, StepLambdaContext> => ({
  before: async (request: StepRequest) => {
    const began = Date.now();
    if ((request.event as { phase?: unknown } | null)?.phase !== undefined)
      throw new FatalStepError(
        'This step has `forEach` in its definition, so its handler must be a fan-out handler (createItemHandler), not createStepHandler',
      );
    const parsed = StepEventSchema.safeParse(request.event);
    if (!parsed.success) throw new FatalStepError(`Invalid step event: ${parsed.error.message}`);
    request.context.step = await beginStep(repos(), results, parsed.data, {
      began,
      remainingTimeMs: () => request.context.getRemainingTimeInMillis(),
    });
    await startWork(request.context.step);
  },
  after: async (request: StepRequest) => {
    const invocation = request.context.step as StepInvocation;
    request.response = await completeStep(repos(), results, invocation, request.response ?? {});
  },
  onError: async (request: StepRequest) => {
    const invocation = request.context.step;
    if (invocation) await recordAttemptFailure(repos(), invocation, request.error as Error);
  },
});
