import { DescribeExecutionCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ulid } from 'ulid';
import type { WorkflowDefinition } from '../contract/definition.js';
import type { ExecutionInput } from '../contract/execution.js';
import { executionArnOf, executionName } from '../contract/executions.js';
import {
  InvalidTransitionError,
  NotFoundError,
  RecoveryLimitError,
  ValidationError,
} from '../domain/errors.js';
import { computeProgress } from '../domain/progress.js';
import type { WorkflowRecord } from '../domain/records.js';
import { parseParameters } from '../parameters/parse.js';
import { statusShardOf } from '../repositories/index-keys.js';
import { createWorkflowWithTasks } from '../repositories/workflow-store.js';
import { logger } from '../shared/logger.js';
import { recordRecovery, recordWorkflowFinished } from '../shared/metrics.js';
import { cancelRun, MAX_CANCEL_ROUNDS } from './cancel.js';
import { closeInFlightTasks } from './open-tasks.js';
import { OrchestratorReads } from './reads.js';
import { planRerun } from './rerun-plan.js';
import {
  type CreateWorkflowInput,
  correlationOf,
  type RecoverInput,
  type Recovery,
  type RunRequest,
  runInput,
} from './run-input.js';
import { ignoreAlreadyDone } from './sfn-calls.js';

export { CANCEL_ERROR } from './cancel.js';

/** Statuses of an execution that is over: nothing it waits on can be released any more. */
const ENDED_EXECUTION = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * The one place that implements the workflow lifecycle: create, start, pause, resume, cancel,
 * recover and the progress view. Used by the API, the recovery handler and the local stack.
 */
export class Orchestrator extends OrchestratorReads {
  async create(input: CreateWorkflowInput): Promise<WorkflowRecord> {
    // An unknown definition is bad input to create (400), not a missing resource (404).
    const served = this.served.get(input.definition);
    if (!served) {
      const known = [...this.served.keys()].join(', ');
      const message = `definition must be one of: ${known}`;
      throw new ValidationError(message, [{ path: 'definition', rule: 'known-definition', message }]);
    }
    // The current version, or the one the create pins: the workflow keeps it for all its runs.
    const definition = this.versions.forCreate(served, input.definitionVersion);
    if (input.metadata?.faults !== undefined && !this.deps.faultInjection) {
      const message =
        'metadata.faults is accepted only where fault injection is on (the local stack, or a stage deployed with -c faultInjection=true)';
      throw new ValidationError(message, [{ path: 'metadata.faults', rule: 'fault-injection-off', message }]);
    }
    // Checked against the definition's parameters, defaults filled in: the parsed value is stored.
    const parameters = this.parametersOf(definition.name);
    const metadata = parameters ? parseParameters(parameters, input.metadata ?? {}) : (input.metadata ?? {});
    const workflow = await createWorkflowWithTasks(this.deps.store, {
      workflow: {
        jobId: input.jobId,
        definitionName: definition.name,
        definitionVersion: definition.version,
        metadata,
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
        maxRecoveryAttempts: definition.maxRecoveryAttempts,
      },
      tasks: definition.steps.map((step) => ({
        taskName: step.name,
        taskType: step.taskType,
        maxRetries: step.maxRetries,
        timeout: step.timeout,
        estimatedDuration: step.estimatedDuration,
        dependencies: step.dependencies,
        nonRetryable: step.retry.nonRetryable,
      })),
    });
    if (!input.start) return workflow;
    try {
      return await this.start(workflow.workflowId, input);
    } catch (error) {
      // The workflow exists whatever became of its start: answer with its record (failed, with the
      // reason, recoverable) so a retried request gets this answer rather than creating another.
      const current = await this.deps.repos.workflows.getById(workflow.workflowId);
      if (current?.status === 'failed') return current;
      throw error;
    }
  }

  /** pending → running: records the execution first (the transition is the guard), then starts it. */
  async start(workflowId: string, request: RunRequest = {}): Promise<WorkflowRecord> {
    const workflow = await this.get(workflowId);
    if (workflow.status !== 'pending')
      throw new InvalidTransitionError('workflow', 'start', workflow.status, 'running');
    const correlationId = correlationOf(workflow, request);
    return this.launch(workflow, { workflowId, jobId: workflow.jobId, correlationId, skip: {}, results: {} });
  }

  /** running → paused: the running steps finish; the next ones park at their pause gate. */
  pause(workflowId: string): Promise<WorkflowRecord> {
    return this.deps.repos.workflows.markPaused(workflowId);
  }

  /**
   * paused → running, then releases every execution branch parked at a pause gate. When the paused
   * run's execution is gone (it ended with the process or engine that ran it, or was stopped while
   * paused), there is nothing to release: a new run starts from the steps not done instead.
   */
  async resume(workflowId: string): Promise<WorkflowRecord> {
    const workflow = await this.get(workflowId);
    if (workflow.status === 'paused') {
      const ended = await this.endOf(workflow.executionArn);
      if (ended) return this.resumeAsNewRun(workflow, ended);
    }
    const { record, pauseTokens } = await this.deps.repos.workflows.markResumed(workflowId);
    for (const token of Object.values(pauseTokens)) {
      await ignoreAlreadyDone(
        this.deps.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      );
    }
    return record;
  }

  /**
   * How the run's execution ended, or undefined while it runs (or when the record names none).
   * An execution Step Functions does not know is gone: the engine that ran it is not this one (a
   * restarted local stack), or it was never started. Were it being started at this very moment, the
   * new run would supersede it: its steps' writes carry the old run's token and change nothing.
   */
  private async endOf(executionArn: string | undefined): Promise<string | undefined> {
    if (!executionArn) return undefined;
    try {
      const { status } = await this.deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
      // Only a status that says it is over counts: running, pending a redrive (or anything newer) is not.
      return status && ENDED_EXECUTION.has(status) ? `Execution ${status}` : undefined;
    } catch (error) {
      if ((error as Error).name === 'ExecutionDoesNotExist') return 'Execution LOST';
      throw error;
    }
  }

  /**
   * Resume of a paused workflow whose execution ended: paused → failed (the run is over) → a
   * recovery of the steps not done, at once, through `recover` (its re-run set, staged resets, new
   * run token and execution). The new run counts as a recovery attempt: none left is a 409 that
   * changes nothing (the workflow stays paused; cancel it, or it waits).
   */
  private async resumeAsNewRun(workflow: WorkflowRecord, ended: string): Promise<WorkflowRecord> {
    const { workflowId } = workflow;
    if (workflow.recoveryAttempts >= workflow.maxRecoveryAttempts)
      throw new RecoveryLimitError(workflow.recoveryAttempts, workflow.maxRecoveryAttempts);
    // From paused only: a concurrent resume or cancel got there first, and this one is refused (409).
    await this.deps.repos.workflows.transition(workflowId, 'failed', {
      action: 'resume',
      from: ['paused'],
      set: { errorMessage: `${ended} while paused: resumed as a new run` },
    });
    logger.info('resume: the paused run is over, a new run starts', { workflowId, ended });
    try {
      const { rerun: _rerun, ...running } = await this.recover(workflowId, {
        reason: `resume (${ended.toLowerCase()} while paused)`,
      });
      return running;
    } catch (error) {
      // A recovery (the reconciler's, say) or a cancel moved it on between the two writes.
      if (!(error instanceof InvalidTransitionError)) throw error;
      return this.get(workflowId);
    }
  }

  /**
   * Stops the execution now; every task that had not finished becomes cancelled. One round per run:
   * a start or recovery that moved the workflow to another run meanwhile is cancelled in turn.
   */
  async cancel(workflowId: string): Promise<WorkflowRecord> {
    for (let round = 1; ; round++) {
      const workflow = await this.get(workflowId);
      // Cancelled meanwhile by whoever saw a run end on this cancel's task writes (the recovery
      // handler finishing a cancel, docs/behaviour.md "Cancel"): this cancel's outcome, no refusal.
      if (round > 1 && workflow.status === 'cancelled') return workflow;
      const outcome = await cancelRun(this.deps, workflow, round < MAX_CANCEL_ROUNDS);
      if (outcome === 'another-run') continue;
      if (outcome.committed) recordWorkflowFinished('cancelled');
      return outcome.record;
    }
  }

  /**
   * failed → recovering → running: a new run of exactly the re-run set (functions/orchestrator/
   * rerun-plan.ts): what is not done, plus `fromStep` and its dependents, minus what the caller
   * skips. Every other done step keeps its record and is not invoked; its result feeds the steps
   * that need it. Two workflow writes: one checks and counts the attempt and rewinds progress, the
   * other starts the run.
   */
  async recover(workflowId: string, input: RecoverInput = {}): Promise<Recovery> {
    const workflow = await this.get(workflowId);
    if (workflow.status !== 'failed')
      throw new InvalidTransitionError('workflow', 'recover', workflow.status, 'recovering');
    // Checked again, atomically, by the commit; here so that a spent workflow is not even staged.
    if (workflow.recoveryAttempts >= workflow.maxRecoveryAttempts)
      throw new RecoveryLimitError(workflow.recoveryAttempts, workflow.maxRecoveryAttempts);
    // A run that died (crash, interrupted local stack) can leave tasks `running`: close them first,
    // before the attempt is counted, since only closed tasks can be reset.
    await closeInFlightTasks(this.deps.repos, workflowId, 'failed', 'Its run ended before the step finished');
    const tasks = await this.deps.repos.tasks.getByWorkflow(workflowId);
    const plan = planRerun(tasks, input);
    const nameOf = (index: number) => tasks.find((task) => task.stepIndex === index)?.taskName as string;
    const done = [...plan.keep, ...plan.skip].map(nameOf);
    // The new run's resets are staged under its token, then the attempt is counted: a refused
    // recovery (a concurrent cancel, recover or pause) leaves every task as it was.
    const runToken = ulid();
    await this.deps.repos.tasks.stageRecovery(workflowId, plan, runToken);
    const recovering = await this.deps.repos.workflows.beginRecovery(workflowId, {
      completedSteps: done,
      currentStep: done.length,
      progress: computeProgress(done.length, workflow.totalSteps),
      runToken,
    });
    recordRecovery();
    const rerun = plan.rerun.map(nameOf);
    logger.info('recovering workflow', {
      workflowId,
      rerun,
      skip: plan.skip.map(nameOf),
      reason: input.reason,
      attempt: recovering.recoveryAttempts,
    });

    // Committed: what was staged is written out (readers already see it through the token).
    await this.deps.repos.tasks.applyRecovery(workflowId, runToken);
    if (input.delaySeconds !== undefined)
      return { ...(await this.delayRun(recovering, input.delaySeconds)), rerun };
    const correlationId = correlationOf(workflow, input);
    const kept = tasks
      .filter((task) => !plan.rerun.includes(task.stepIndex))
      .map((task) => ({ ...task, status: plan.skip.includes(task.stepIndex) ? 'skipped' : task.status }));
    try {
      const running = await this.launch(recovering, {
        workflowId,
        jobId: workflow.jobId,
        correlationId,
        ...runInput(kept),
      });
      return { ...running, rerun };
    } catch (error) {
      // The recovery is committed: a cancel that came in since stopped its run, which is no refusal
      // of the recovery (a refused one changes nothing). The answer is the workflow as it is now.
      if (!(error instanceof InvalidTransitionError)) throw error;
      logger.info('recovery committed, then the workflow moved on before its run started', { workflowId });
      return { ...(await this.get(workflowId)), rerun };
    }
  }

  /**
   * recovering → running: starts the run a (delayed) recovery prepared. The input is rebuilt from
   * the tasks (what is done is skipped, completed results feed later steps). A no-op when the run
   * is no longer wanted: cancelled meanwhile, or `run` is not the current attempt (a late duplicate).
   */
  async startRecoveryRun(workflowId: string, run: number): Promise<WorkflowRecord | undefined> {
    const workflow = await this.get(workflowId);
    if (workflow.status !== 'recovering' || workflow.recoveryAttempts !== run) {
      logger.info('recovery run not started: workflow moved on', {
        workflowId,
        run,
        status: workflow.status,
      });
      return undefined;
    }
    // Written out here too: a recovery may have stopped between its commit and writing its resets.
    if (workflow.runToken) await this.deps.repos.tasks.applyRecovery(workflowId, workflow.runToken);
    const tasks = await this.deps.repos.tasks.getByWorkflow(workflowId);
    const correlationId = correlationOf(workflow, {});
    return this.launch(workflow, { workflowId, jobId: workflow.jobId, correlationId, ...runInput(tasks) });
  }

  /** Starts the delayed-start execution, named like the run: a repeated call is the same execution. */
  private async delayRun(workflow: WorkflowRecord, delaySeconds: number): Promise<WorkflowRecord> {
    if (!this.deps.delayedStart)
      throw new Error('recover with a delay needs the delayed-start state machine');
    const run = workflow.recoveryAttempts;
    const startAt = new Date(this.now().getTime() + Math.max(0, delaySeconds) * 1000).toISOString();
    await this.deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.deps.delayedStart,
        name: executionName(workflow.workflowId, run),
        input: JSON.stringify({ workflowId: workflow.workflowId, run, startAt }),
      }),
    );
    logger.info('recovery run scheduled', { workflowId: workflow.workflowId, run, startAt });
    return workflow;
  }

  /** Marks the workflow running with the execution's ARN, then starts that execution (idempotent by name). */
  private async launch(
    workflow: WorkflowRecord,
    input: Omit<ExecutionInput, 'runToken' | 'indexShard'>,
  ): Promise<WorkflowRecord> {
    const machineArn = this.deps.stateMachines[workflow.definitionName];
    if (!machineArn) throw new NotFoundError('Definition', workflow.definitionName);
    // Its version's state machine (README, "Versions"); an execution's ARN never names the version.
    const stateMachineArn =
      this.versions.arnOf(workflow.definitionName, workflow.definitionVersion) ?? machineArn;
    const name = executionName(workflow.workflowId, workflow.recoveryAttempts);
    const executionArn = executionArnOf(machineArn, name);
    // A record from before runs had tokens gets one here (its own is kept otherwise).
    const running = await this.deps.repos.workflows.markRunning(workflow.workflowId, {
      executionArn,
      runToken: workflow.runToken ?? ulid(),
    });
    const executionInput: ExecutionInput = {
      ...input,
      runToken: running.runToken as string,
      indexShard: statusShardOf(workflow.workflowId),
    };
    try {
      await this.deps.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(executionInput) }),
      );
    } catch (error) {
      logger.error('could not start execution', { workflowId: workflow.workflowId, error });
      await this.deps.repos.workflows.markFailed(
        workflow.workflowId,
        `Could not start execution: ${(error as Error).message}`,
      );
      throw error;
    }
    return running;
  }

  /** The definitions this orchestrator serves, by name (unknown → 404). */
  definition(name: string): WorkflowDefinition {
    const definition = this.served.get(name);
    if (!definition) throw new NotFoundError('Definition', name);
    return definition;
  }
}

export type { OrchestratorDeps } from './reads.js';
export type { CreateWorkflowInput, RecoverInput, Recovery, RunRequest, WorkflowFilter } from './run-input.js';
