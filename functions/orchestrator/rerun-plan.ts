import { ValidationError } from '../domain/errors.js';
import { isDoneTaskStatus, type TaskStatus } from '../domain/statuses.js';

/** What the planner needs of a task: its step, status and the steps it waits for. */
export interface PlannedTask {
  readonly stepIndex: number;
  readonly taskName: string;
  readonly status: TaskStatus;
  readonly dependencies: readonly number[];
}

export interface RerunRequest {
  /** Run this step (by index or name) and everything that depends on it again, done or not. */
  readonly fromStep?: number | string;
  /** Steps the caller chooses to go on without: marked skipped (a skipped dependency is met). */
  readonly skip?: readonly string[];
}

export interface RerunPlan {
  /** Steps the new run executes, by index, ascending. */
  readonly rerun: readonly number[];
  /** Steps the caller bypasses: they become `skipped`. */
  readonly skip: readonly number[];
  /** Steps that keep their outcome (completed or skipped): not invoked, their results kept. */
  readonly keep: readonly number[];
}

const invalid = (path: string, rule: string, message: string): ValidationError =>
  new ValidationError(`${path} ${message}`, [{ path, rule, message }]);

/** Every step that depends on `from`, transitively (dependencies always point to earlier steps). */
const dependentsOf = (tasks: readonly PlannedTask[], from: number): Set<number> => {
  const reached = new Set([from]);
  for (const task of [...tasks].sort((a, b) => a.stepIndex - b.stepIndex))
    if (task.dependencies.some((dep) => reached.has(dep))) reached.add(task.stepIndex);
  return reached;
};

/**
 * The re-run set of a recovery (docs/behaviour.md, "Recovery"): the steps that are not done, plus —
 * with `fromStep` — that step and every step depending on it, minus the steps the caller bypasses.
 * Every other step keeps its outcome, whatever its index: a completed sibling branch of a failed step
 * is not run again. Bad input is a ValidationError naming the field and the valid step names.
 */
export const planRerun = (tasks: readonly PlannedTask[], request: RerunRequest = {}): RerunPlan => {
  const names = tasks.map((task) => task.taskName);
  const indexOf = (name: string) => tasks.find((task) => task.taskName === name)?.stepIndex;
  const forced = new Set<number>();
  if (request.fromStep !== undefined) {
    const from = typeof request.fromStep === 'number' ? request.fromStep : indexOf(request.fromStep);
    if (from === undefined || !tasks.some((task) => task.stepIndex === from))
      throw invalid(
        'fromStep',
        'known-step',
        `must be a step name or index (0..${tasks.length - 1}) of this workflow: ${names.join(', ')}`,
      );
    for (const index of dependentsOf(tasks, from)) forced.add(index);
  }
  const skip = new Set<number>();
  for (const name of request.skip ?? []) {
    const index = indexOf(name);
    if (index === undefined)
      throw invalid(
        'skip',
        'known-step',
        `names an unknown step "${name}": valid steps are ${names.join(', ')}`,
      );
    const task = tasks.find((t) => t.stepIndex === index) as PlannedTask;
    if (task.status === 'completed')
      throw invalid(
        'skip',
        'not-completed',
        `names "${name}", which completed: only a step that did not complete can be skipped`,
      );
    skip.add(index);
  }
  const rerun: number[] = [];
  const keep: number[] = [];
  for (const task of [...tasks].sort((a, b) => a.stepIndex - b.stepIndex)) {
    if (skip.has(task.stepIndex)) continue;
    if (forced.has(task.stepIndex) || !isDoneTaskStatus(task.status)) rerun.push(task.stepIndex);
    else keep.push(task.stepIndex);
  }
  return { rerun, skip: [...skip].sort((a, b) => a - b), keep };
};
