import type { TaskRecord, WorkflowRecord } from '../../functions/domain/records.js';
import { invariantViolations } from '../support/invariants.js';
import type { ApiClient } from './client.js';

/** How long a workflow may take to stop running or recovering after its test. */
export const SETTLE_TIMEOUT_MS = 60_000;
/**
 * How long a violation may take to be repaired by design before it counts: when a step fails for
 * good inside a Parallel, its siblings are left open until the execution's failure event reaches
 * the recovery handler (docs/behaviour.md, "Failure bookkeeping"). A violation still there after
 * this is reported; one that went away is printed, so it stays visible.
 */
const REPAIR_GRACE_MS = 3_000;
/** Statuses in which a workflow is still moving by itself. */
const UNSETTLED = new Set(['running', 'recovering']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The records as the API gives them, with each task's result reduced to its keys (they can be large). */
export interface WorkflowRecords {
  readonly workflow: WorkflowRecord;
  readonly tasks: TaskRecord[];
}

export const recordsOf = async (api: ApiClient, workflowId: string): Promise<WorkflowRecords> => {
  const [workflow, tasks] = await Promise.all([api.workflow(workflowId), api.taskList(workflowId)]);
  return { workflow, tasks };
};

/** The records, readable in a failure message: results reduced to their keys. */
export const describeRecords = ({ workflow, tasks }: WorkflowRecords): string => {
  const { metadata, ...rest } = workflow;
  const brief = tasks.map(({ result, ...task }) => ({ ...task, result: Object.keys(result ?? {}) }));
  return JSON.stringify({ workflow: { ...rest, faults: metadata?.faults }, tasks: brief }, null, 2);
};

/** Polls the workflow until it is neither running nor recovering, up to `deadline` (epoch ms). */
export const settled = async (api: ApiClient, workflowId: string, deadline: number): Promise<string> => {
  for (;;) {
    const { status } = await api.workflow(workflowId);
    if (!UNSETTLED.has(status)) return status;
    if (Date.now() > deadline) throw new Error(`workflow ${workflowId} still ${status} when its test ended`);
    await sleep(200);
  }
};

/**
 * The invariants' violations of one settled workflow (test/support/invariants.ts), read over
 * HTTP; empty when they hold. A violation is re-read for REPAIR_GRACE_MS before it counts.
 */
export const violationsOf = async (
  api: ApiClient,
  workflowId: string,
): Promise<{ violations: string[]; records: WorkflowRecords }> => {
  const first = await recordsOf(api, workflowId);
  let records = first;
  let violations = invariantViolations(records.workflow, records.tasks);
  const firstViolations = violations;
  for (const until = Date.now() + REPAIR_GRACE_MS; violations.length > 0 && Date.now() < until; ) {
    await sleep(250);
    records = await recordsOf(api, workflowId);
    violations = invariantViolations(records.workflow, records.tasks);
  }
  if (firstViolations.length > 0 && violations.length === 0)
    console.warn(
      `invariants of ${workflowId} held only after a repair:\n  ${firstViolations.join('\n  ')}\n${describeRecords(first)}`,
    );
  return { violations, records };
};

/**
 * The check every e2e test ends with: each of these workflows settles (bounded), then keeps every
 * invariant; a failure lists each violation with the workflow's records.
 */
export const expectInvariants = async (
  api: ApiClient,
  workflowIds: readonly string[],
  timeoutMs = SETTLE_TIMEOUT_MS,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  const problems: string[] = [];
  await Promise.all(
    workflowIds.map(async (id) => {
      try {
        await settled(api, id, deadline);
        const { violations, records } = await violationsOf(api, id);
        if (violations.length > 0) problems.push(`${violations.join('\n')}\n${describeRecords(records)}`);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }),
  );
  if (problems.length > 0)
    throw new Error(`workflow invariants violated (docs/behaviour.md, "Runs"):\n${problems.join('\n\n')}`);
};

/** expectInvariants over every workflow created through `api` since the last check. */
export const expectInvariantsOfCreated = (api: ApiClient, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> =>
  expectInvariants(api, api.takeCreated(), timeoutMs);
