import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { InvalidTransitionError, NotFoundError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { isDoneTaskStatus } from '../domain/statuses.js';
import { workflowSourcesOf } from '../domain/transitions.js';
import type { OrchestratorDeps } from './reads.js';
import { ignoreAlreadyDone } from './sfn-calls.js';

/** The error a cancel stops its execution with: how the recovery side tells a cancel from a failure. */
export const CANCEL_ERROR = 'WorkflowCancelled';

/**
 * Rounds of a cancel that each found the workflow moved to another run; the last commits
 * regardless. A run changes at most twice per start or recovery (token, then execution).
 */
export const MAX_CANCEL_ROUNDS = 5;

/**
 * One cancel of the run the workflow is on (docs/behaviour.md, "Cancel"): the record, and whether
 * this call committed it; 'another-run' when `onlyThisRun` and the workflow moved to another run
 * before the commit.
 */
export const cancelRun = async (
  deps: Pick<OrchestratorDeps, 'repos' | 'sfn'>,
  workflow: WorkflowRecord,
  onlyThisRun: boolean,
): Promise<{ record: WorkflowRecord; committed: boolean } | 'another-run'> => {
  const { workflows, tasks } = deps.repos;
  const { workflowId } = workflow;
  if (!workflowSourcesOf('cancelled').includes(workflow.status))
    throw new InvalidTransitionError('workflow', 'cancel', workflow.status, 'cancelled');
  // 1. Every open task is cancelled first: from here no step of this run can start or complete,
  //    since each step's own task write is conditioned on its task.
  await tasks.cancelOpenTasks(workflowId);
  // 2. The execution stops; named so that a cancel interrupted here is finished by the recovery
  //    handler or the reconciler, not mistaken for a failure.
  if (workflow.executionArn) {
    await ignoreAlreadyDone(
      deps.sfn.send(
        new StopExecutionCommand({
          executionArn: workflow.executionArn,
          error: CANCEL_ERROR,
          cause: 'Cancelled by request',
        }),
      ),
    );
  }
  // 3. The commit, with progress counted from the tasks, which can no longer change; refused when
  //    a recovery or start committed another run since the read above, which 1 and 2 did not
  //    cover (its tasks were reset, its execution started): the caller goes round again.
  const doneSteps = async () =>
    (await tasks.getByWorkflow(workflowId)).filter((t) => isDoneTaskStatus(t.status)).map((t) => t.taskName);
  let cancelled: WorkflowRecord | undefined;
  try {
    cancelled = await workflows.markCancelled(
      workflowId,
      await doneSteps(),
      onlyThisRun ? workflow : undefined,
    );
  } catch (error) {
    // Finished by another since 1 (the recovery handler saw a step refused by this cancel's task
    // writes, or a second cancel): cancelled as asked.
    if (!(error instanceof InvalidTransitionError)) throw error;
    const current = await workflows.getById(workflowId);
    if (!current) throw new NotFoundError('Workflow', workflowId);
    if (current.status !== 'cancelled') throw error;
    return { record: current, committed: false };
  }
  if (!cancelled) return 'another-run';
  // 4. A last sweep: the fifth round commits whatever run is current, whose resets may be new.
  if ((await tasks.cancelOpenTasks(workflowId)) > 0)
    await workflows.recountCancelled(workflowId, await doneSteps());
  return { record: cancelled, committed: true };
};
