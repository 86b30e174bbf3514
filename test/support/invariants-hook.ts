import { afterEach } from 'vitest';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import type { ExecutionDescription } from '../../infra/local/status-events.js';
import type { RuntimeApp } from './runtime.js';

/*
 * The workflow invariants (test/support/invariants.ts), checked after every test of an integration
 * or e2e file against every app that file started with startTestApp. Loaded for every test file as
 * a setupFiles entry (vitest.config.ts); it acts only on files under test/integration/ and
 * test/e2e/, and only on apps registered here. The e2e suites that drive a server over HTTP call
 * the same checker on their side.
 *
 * Its own imports stay light (types only): the reads are imported when there is an app to check,
 * so unit test files do not pay for the SDK.
 */

/** Test files the check applies to. */
const APPLIES_TO = /[\\/]test[\\/](integration|e2e)[\\/]/;
/** How long to wait, after a test, for the app's executions to end before checking what has. */
const QUIESCE_MS = 15_000;
const POLL_MS = 50;

interface Tracked {
  readonly app: RuntimeApp;
  /** Violations already reported (a later test of the file is not failed for an earlier one's). */
  readonly reported: Set<string>;
  /**
   * Executions that outlived a whole wait (a workflow left paused, say): later tests do not wait
   * for them again, and their workflows stay unchecked while they run.
   */
  readonly lingering: Set<string>;
}

/** The apps started by this test file and not closed yet. */
const apps = new Map<RuntimeApp, Tracked>();
/** Workflows a test deliberately leaves in a state the invariants forbid, with the reason. */
const exempt = new Map<string, string>();

/** Registers an app for the after-each check; returns the function that unregisters it. */
export const trackApp = (app: RuntimeApp): (() => void) => {
  apps.set(app, { app, reported: new Set(), lingering: new Set() });
  return () => void apps.delete(app);
};

/**
 * Opts one workflow out of the after-each check, for the rest of the file. Only for a workflow a
 * test deliberately corrupts and does not repair: say why at the call site.
 */
export const exemptFromInvariants = (workflowId: string, why: string): void => {
  exempt.set(workflowId, why);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Executions of the app, every state machine's (the delayed recovery starts too), still running. */
const runningExecutions = (app: RuntimeApp): ExecutionDescription[] =>
  app.stepFunctions.machines.flatMap((machine) =>
    app.stepFunctions.listExecutions(machine.local.arn, 'RUNNING'),
  );

/**
 * Waits until the app is quiet: no execution running (but the lingering ones) and no event delivery
 * in flight (an ended execution's status event may start the recovery handler, which may start a
 * delayed start), twice in a row. Returns the executions still running then, lingering ones included.
 */
const quiesce = async ({ app, lingering }: Tracked, ms: number): Promise<ExecutionDescription[]> => {
  const deadline = Date.now() + ms;
  let quietOnce = false;
  for (;;) {
    await app.events.idle();
    const running = runningExecutions(app);
    const awaited = running.filter((execution) => !lingering.has(execution.executionArn));
    if (awaited.length === 0) {
      if (quietOnce) return running;
      quietOnce = true;
    } else {
      quietOnce = false;
      if (Date.now() > deadline) {
        for (const execution of awaited) lingering.add(execution.executionArn);
        return running;
      }
    }
    await sleep(POLL_MS);
  }
};

/** The workflow an execution belongs to: executions are named `<workflowId>-<run>`. */
const workflowOf = (execution: ExecutionDescription): string => execution.name.replace(/-\d+$/, '');

/** Every workflow record in the app's WorkflowState table (a Scan: fine in a test helper). */
const allWorkflows = async (app: RuntimeApp): Promise<WorkflowRecord[]> => {
  const [{ ScanCommand }, { createDocumentClient }, { fromWorkflowItem }, { isExpired }] = await Promise.all([
    import('@aws-sdk/lib-dynamodb'),
    import('../../functions/repositories/client.js'),
    import('../../functions/repositories/items.js'),
    import('../../functions/repositories/conditions.js'),
  ]);
  const doc = createDocumentClient({ endpoint: app.dynamoEndpoint });
  const now = new Date();
  const workflows: WorkflowRecord[] = [];
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: app.tableNames.workflows,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) if (!isExpired(item, now)) workflows.push(fromWorkflowItem(item));
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    doc.destroy();
  }
  return workflows;
};

/**
 * The invariant violations of an app's workflows once it is quiet. If executions are still running
 * after the wait (a test may leave a workflow paused on purpose), only the workflows whose status
 * is terminal and that have no execution running are checked: the others are not at rest.
 */
const appInvariantViolations = async (tracked: Tracked): Promise<string[]> => {
  const { app } = tracked;
  const running = await quiesce(tracked, QUIESCE_MS);
  const busy = new Set(running.map(workflowOf));
  const [{ invariantViolations }, { isTerminalWorkflowStatus }] = await Promise.all([
    import('./invariants.js'),
    import('../../functions/domain/statuses.js'),
  ]);
  const problems: string[] = [];
  for (const workflow of await allWorkflows(app)) {
    if (exempt.has(workflow.workflowId)) continue;
    if (running.length > 0 && (busy.has(workflow.workflowId) || !isTerminalWorkflowStatus(workflow.status)))
      continue;
    const tasks = await app.repos.tasks.getByWorkflow(workflow.workflowId);
    problems.push(...invariantViolations(workflow, tasks));
  }
  return problems;
};

afterEach(async (context) => {
  if (!APPLIES_TO.test(context.task.file.filepath) || apps.size === 0) return;
  const fresh: string[] = [];
  for (const tracked of apps.values()) {
    for (const problem of await appInvariantViolations(tracked)) {
      if (tracked.reported.has(problem)) continue;
      tracked.reported.add(problem);
      fresh.push(problem);
    }
  }
  if (fresh.length > 0)
    throw new Error(
      `workflow invariants violated after "${context.task.name}" (test/support/invariants.ts):\n${fresh
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
}, QUIESCE_MS + 30_000);
