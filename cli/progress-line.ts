import type { ProgressView } from '../functions/orchestrator/views.js';
import { etaText } from './eta.js';

type ProgressTask = ProgressView['tasks'][number];

/**
 * The subset of the API's progress view (its one schema) the terminal shows. A task's `items` may
 * be absent: an API from before fan-out steps does not send it.
 */
export type ProgressSnapshot = Pick<
  ProgressView,
  'workflowId' | 'status' | 'progress' | 'currentStep' | 'totalSteps' | 'eta'
> & {
  readonly tasks: readonly (Pick<ProgressTask, 'name' | 'status' | 'retryCount'> &
    Partial<Pick<ProgressTask, 'items'>>)[];
};

const BAR_WIDTH = 24;

export const progressBar = (percent: number, width = BAR_WIDTH): string => {
  const filled = Math.round((Math.min(Math.max(percent, 0), 100) / 100) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A fan-out step's items: those with an outcome (succeeded or failed) of all, and the failed ones
 * when there are any, `3,412/10,000 (12 failed)`; empty when it has no item counters (yet).
 */
export const itemsText = (items: ProgressTask['items'] | undefined): string => {
  if (!items || items.total <= 0) return '';
  const done = `${count.format(items.succeeded + items.failed)}/${count.format(items.total)}`;
  return items.failed > 0 ? `${done} (${count.format(items.failed)} failed)` : done;
};

/** A running step, by name; a fan-out step with its items (`download 3,412/10,000 (12 failed)`). */
const activeStep = (task: ProgressSnapshot['tasks'][number]): string => {
  const items = itemsText(task.items);
  const retry = task.retryCount > 0 ? ` (retry ${task.retryCount})` : '';
  if (items) return `${task.name}${task.status === 'running' ? '' : ` ${task.status}`} ${items}${retry}`;
  return `${task.name} ${task.status}${retry}`;
};

/** What is happening now: the running (or retrying) steps, else the last one that moved. */
const activeSteps = (snapshot: ProgressSnapshot): string => {
  const active = snapshot.tasks.filter((t) => t.status === 'running' || t.status === 'retrying');
  if (active.length > 0) return active.map(activeStep).join(', ');
  const failed = snapshot.tasks.find((t) => t.status === 'failed');
  if (!failed) return '';
  const items = itemsText(failed.items);
  return `${failed.name} failed${items ? ` ${items}` : ''}`;
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
