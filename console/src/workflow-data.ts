import { useRef } from 'preact/hooks';
import { api } from './api';
import { usePoll } from './poll';
import { type RunTimeline, runTimeline } from './timeline';
import type { HistoryEvent, HistoryPage, Progress, Task, Workflow } from './types';

/*
 * What the workflow page polls: the workflow and its progress each tick (conditional GETs), its
 * tasks when either changed (a task's status, retries, error and items are in the progress, so an
 * unchanged progress means unchanged tasks: the tasks route, which reads results back from S3 on
 * AWS, is not asked each second for a finished workflow), and its execution history, every page
 * of every run (a finished run's history never changes: it is read once; the current run's pages
 * are read again when the workflow moved, and every few ticks besides).
 */

export interface WorkflowData {
  readonly workflow: Workflow;
  readonly tasks: readonly Task[];
  readonly progress: Progress;
  /** Counts the answers that changed something: what the history follows. */
  readonly revision: number;
}

export const useWorkflowData = (workflowId: string) => {
  const held = useRef<WorkflowData | undefined>(undefined);
  return usePoll<WorkflowData>(async () => {
    const [workflow, progress] = await Promise.all([api.workflow(workflowId), api.progress(workflowId)]);
    const previous = held.current?.workflow.workflowId === workflowId ? held.current : undefined;
    const moved = !previous || workflow.changed || progress.changed;
    const tasks = moved ? await api.tasks(workflowId) : undefined;
    const changed = moved && (!previous || workflow.changed || progress.changed || tasks?.changed === true);
    const data: WorkflowData = {
      workflow: workflow.data,
      progress: progress.data,
      tasks: tasks ? tasks.data.items : (previous?.tasks ?? []),
      revision: (previous?.revision ?? 0) + (changed ? 1 : 0),
    };
    held.current = data;
    return { data, changed };
  }, workflowId);
};

export interface HistoryData {
  readonly runs: readonly RunTimeline[];
  /** The current run's first page: the execution as Step Functions records it. */
  readonly current: HistoryPage;
}

const readRun = async (workflowId: string, run: number | undefined) => {
  const events: HistoryEvent[] = [];
  let changed = false;
  let cursor: string | undefined;
  let first: HistoryPage | undefined;
  do {
    const page = await api.history(workflowId, run, cursor);
    first ??= page.data;
    changed ||= page.changed;
    events.push(...page.data.events);
    cursor = page.data.nextCursor;
  } while (cursor);
  return { first: first as HistoryPage, events, changed };
};

/** Ticks between two reads of the current run's history while the workflow shows no change. */
const HISTORY_EVERY = 5;

export const useHistory = (
  workflowId: string,
  steps: readonly string[],
  revision: number,
  enabled: boolean,
) => {
  /** Finished runs' events, by run. */
  const finished = useRef(new Map<number, readonly HistoryEvent[]>());
  const last = useRef<{ revision: number; ticks: number; data?: HistoryData }>({ revision: -1, ticks: 0 });
  const revisionNow = useRef(revision);
  revisionNow.current = revision;
  return usePoll<HistoryData>(
    async () => {
      const seen = last.current;
      if (seen.data && seen.revision === revisionNow.current && ++seen.ticks < HISTORY_EVERY)
        return { data: seen.data, changed: false };
      last.current = { revision: revisionNow.current, ticks: 0, ...(seen.data ? { data: seen.data } : {}) };
      const current = await readRun(workflowId, undefined);
      const runs: RunTimeline[] = [];
      let changed = current.changed;
      for (const { run } of current.first.runs) {
        if (run === current.first.run) {
          runs.push(runTimeline(run, current.events, steps));
          continue;
        }
        let events = finished.current.get(run);
        if (!events) {
          events = (await readRun(workflowId, run)).events;
          finished.current.set(run, events);
          changed = true;
        }
        runs.push(runTimeline(run, events, steps));
      }
      const data = { runs, current: current.first };
      last.current.data = data;
      return { data, changed };
    },
    `${workflowId}:${steps.join(',')}`,
    enabled,
  );
};
