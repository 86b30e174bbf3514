import { expect } from 'vitest';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { DETAIL_TYPES } from '../../functions/events/domain-events.js';
import type { TestApp } from '../support/test-app.js';
import { testFlow } from '../support/test-flow.js';

export const dataset = { items: 40, seed: 3 };
export const BASE_DELAY_SECONDS = 0.2;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined), failing after `ms`. */
export const eventually = async <T>(check: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
};

export const startWorkflow = async (test: TestApp, jobId: string, metadata: Record<string, unknown> = {}) => {
  const created = await test.app.orchestrator.create({
    jobId,
    definition: testFlow.name,
    metadata: { dataset, ...metadata },
  });
  return test.app.orchestrator.start(created.workflowId);
};

/** Waits until the workflow is completed, or failed with recovery given up (or `done` says so). */
export const settled = (
  test: TestApp,
  workflowId: string,
  done: (w: WorkflowRecord) => boolean = (w) =>
    w.status === 'completed' || w.status === 'cancelled' || /gave up/.test(w.errorMessage ?? ''),
) =>
  eventually(async () => {
    await test.app.events.idle();
    const workflow = await test.app.orchestrator.get(workflowId);
    return done(workflow) ? workflow : undefined;
  });

/** The app-bus events about one workflow, by detail-type. */
export const appEvents = (test: TestApp, workflowId: string, detailType?: string) =>
  test.app.events.log
    .filter(
      ({ bus, event }) =>
        bus !== 'default' && (event.detail as { workflowId?: string }).workflowId === workflowId,
    )
    .map(({ event }) => event)
    .filter((event) => !detailType || event['detail-type'] === detailType);

export const statusesPublished = (test: TestApp, workflowId: string) =>
  appEvents(test, workflowId, DETAIL_TYPES.statusChanged).map((e) => (e.detail as { status: string }).status);

/** Executions of the workflow's state machine for this workflow, oldest first. */
export const runsOf = (test: TestApp, workflowId: string) => {
  const machine = test.app.stateMachines[testFlow.name] as string;
  return test.app.stepFunctions
    .listExecutions(machine)
    .filter((e) => e.name.startsWith(`${workflowId}-`))
    .reverse();
};

export const expectNoneRunning = (test: TestApp, workflowId: string) =>
  expect(runsOf(test, workflowId).filter((e) => e.status === 'RUNNING')).toEqual([]);
