import type { ProgressView } from '../functions/orchestrator/views.js';
import { etaText } from './eta.js';

/** The subset of the API's progress view (its one schema) the terminal shows. */
export type ProgressSnapshot = Pick<
  ProgressView,
  'workflowId' | 'status' | 'progress' | 'currentStep' | 'totalSteps' | 'eta'
> & { readonly tasks: readonly Pick<ProgressView['tasks'][number], 'name' | 'status' | 'retryCount'>[] };

const BAR_WIDTH = 24;

export const progressBar = (percent: number, width = BAR_WIDTH): string => {
  const filled = Math.round((Math.min(Math.max(percent, 0), 100) / 100) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

/** What is happening now: the running (or retrying) steps, else the last one that moved. */
const activeSteps = (snapshot: ProgressSnapshot): string => {
  const active = snapshot.tasks.filter((t) => t.status === 'running' || t.status === 'retrying');
  if (active.length > 0)
    return active
      .map((t) => `${t.name} ${t.status}${t.retryCount > 0 ? ` (retry ${t.retryCount})` : ''}`)
      .join(', ');
  const failed = snapshot.tasks.find((t) => t.status === 'failed');
  return failed ? `${failed.name} failed` : '';
};

/** One line per workflow: id, status, bar, steps done, what runs now, ETA. */
export const progressLine = (snapshot: ProgressSnapshot, now = new Date()): string =>
  [
    snapshot.workflowId,
    snapshot.status.padEnd(10),
    `▕${progressBar(snapshot.progress)}▏${String(snapshot.progress).padStart(4)}%`,
    `${snapshot.currentStep}/${snapshot.totalSteps} steps`,
    activeSteps(snapshot),
    etaText(snapshot, now),
  ]
    .filter(Boolean)
    .join('  ');
