import type { ItemCounters } from '../contract/fan-out.js';
import { isDoneTaskStatus, type TaskStatus } from './statuses.js';

/** Reference progress: floor(100 · completed / total), in integer arithmetic (no float artefacts). */
export const computeProgress = (completed: number, total: number): number => {
  if (total <= 0) return 0;
  const clamped = Math.min(Math.max(completed, 0), total);
  return Math.floor((100 * clamped) / total);
};

export interface ProgressTask {
  readonly stepIndex: number;
  readonly status: TaskStatus;
  readonly dependencies: readonly number[];
  readonly estimatedDuration: number;
  /** Seconds the task really took, when completed. */
  readonly actualDuration?: number;
  /** When its first attempt of the run started: a running step's elapsed time counts down its estimate. */
  readonly startedAt?: string;
  /** A fan-out step's item counters: while it runs, the share of its items done counts. */
  readonly items?: ItemCounters;
}

const underWay = (task: ProgressTask): boolean => task.status === 'running' || task.status === 'retrying';

/**
 * The share (0..1) of a fan-out step under way whose items have an outcome, succeeded or failed;
 * undefined for any other step (and for one with no items to do).
 */
export const itemsDone = (task: ProgressTask): number | undefined => {
  if (!task.items || task.items.total <= 0 || !underWay(task)) return undefined;
  const { total, succeeded, failed } = task.items;
  return Math.min(Math.max((succeeded + failed) / total, 0), 1);
};

/** Seconds a step under way has already used (0 for any other). */
const elapsedSeconds = (task: ProgressTask, now: Date | undefined): number => {
  if (!now || !task.startedAt || !underWay(task)) return 0;
  return Math.max(0, (now.getTime() - Date.parse(task.startedAt)) / 1000);
};

/** How much of a task counts as done: 1 done, the share of its items for a fan-out step under way, else 0. */
const doneShare = (task: ProgressTask): number =>
  isDoneTaskStatus(task.status) ? 1 : (itemsDone(task) ?? 0);

/**
 * Progress weighted by estimatedDuration: a long step counts for more, and a fan-out step under way
 * counts the share of its items done (succeeded or failed). Falls back to the plain count (a
 * fan-out step under way counting its share too) when no step has an estimate.
 */
export const computeWeightedProgress = (tasks: readonly ProgressTask[]): number => {
  const total = tasks.reduce((sum, task) => sum + task.estimatedDuration, 0);
  if (total <= 0) {
    const done = tasks.reduce((sum, task) => sum + doneShare(task), 0);
    // Whole steps only: the reference's integer arithmetic.
    if (Number.isInteger(done)) return computeProgress(done, tasks.length);
    return Math.floor((100 * done) / tasks.length);
  }
  const completed = tasks.reduce((sum, task) => sum + task.estimatedDuration * doneShare(task), 0);
  return Math.floor((100 * completed) / total);
};

/**
 * Seconds a step still needs, from its (paced) estimate. A step under way has used part of its
 * estimate; one that overruns it still needs a moment (1 s). A fan-out step with items done needs
 * the estimate of the items left, blended with its own pace so far (elapsed × left / done) in
 * proportion to the share done: the more items have an outcome, the more its own pace counts.
 */
const secondsLeft = (task: ProgressTask, estimate: number, elapsed: number): number => {
  const share = itemsDone(task);
  if (!share) return elapsed > 0 ? Math.max(estimate - elapsed, 1) : estimate;
  const planned = estimate * (1 - share);
  const observed = elapsed > 0 ? (elapsed * (1 - share)) / share : planned;
  return Math.max(share * observed + (1 - share) * planned, 1);
};

/**
 * Seconds until the workflow should finish: the longest chain of remaining steps (steps run in
 * parallel where the DAG allows), each estimate scaled by how fast completed steps ran against
 * theirs. Undefined when nothing is left or nothing is known.
 */
export const estimateRemainingSeconds = (tasks: readonly ProgressTask[], now?: Date): number | undefined => {
  const remaining = tasks.filter((task) => !isDoneTaskStatus(task.status));
  if (remaining.length === 0) return undefined;
  const measured = tasks.filter((task) => task.status === 'completed' && task.actualDuration !== undefined);
  const estimated = measured.reduce((sum, task) => sum + task.estimatedDuration, 0);
  const actual = measured.reduce((sum, task) => sum + (task.actualDuration ?? 0), 0);
  // Only trust the pace once completed steps carry estimates; clamp so one outlier cannot explode the ETA.
  const pace = estimated > 0 ? Math.min(Math.max(actual / estimated, 0.1), 10) : 1;
  const byIndex = new Map(tasks.map((task) => [task.stepIndex, task]));
  const finish = new Map<number, number>();
  const finishOf = (task: ProgressTask): number => {
    const known = finish.get(task.stepIndex);
    if (known !== undefined) return known;
    if (isDoneTaskStatus(task.status)) return 0;
    const start = Math.max(
      0,
      ...task.dependencies.map((dep) => {
        const parent = byIndex.get(dep);
        return parent ? finishOf(parent) : 0;
      }),
    );
    const value = start + secondsLeft(task, task.estimatedDuration * pace, elapsedSeconds(task, now));
    finish.set(task.stepIndex, value);
    return value;
  };
  const seconds = Math.max(...remaining.map(finishOf));
  return seconds > 0 ? Math.ceil(seconds) : undefined;
};

/** ISO time at which the workflow should finish, or undefined (see estimateRemainingSeconds). */
export const estimateCompletion = (tasks: readonly ProgressTask[], now: Date): string | undefined => {
  const seconds = estimateRemainingSeconds(tasks, now);
  return seconds === undefined ? undefined : new Date(now.getTime() + seconds * 1000).toISOString();
};
