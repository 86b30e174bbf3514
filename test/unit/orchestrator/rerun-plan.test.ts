import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors.js';
import type { TaskStatus } from '../../../functions/domain/statuses.js';
import { type PlannedTask, planRerun } from '../../../functions/orchestrator/rerun-plan.js';

/** dataset-build: download → validate → { deduplicate, label } → package. */
const datasetBuild = (statuses: Record<string, TaskStatus>): PlannedTask[] =>
  [
    ['download', []],
    ['validate', [0]],
    ['deduplicate', [1]],
    ['label', [1]],
    ['package', [2, 3]],
  ].map(([taskName, dependencies], stepIndex) => ({
    stepIndex,
    taskName: taskName as string,
    dependencies: dependencies as number[],
    status: statuses[taskName as string] ?? 'completed',
  }));

describe('the re-run set of a recovery', () => {
  it('re-runs the failed branch and what follows it, not the completed sibling', () => {
    const tasks = datasetBuild({ deduplicate: 'failed', package: 'pending' });
    expect(planRerun(tasks)).toEqual({ rerun: [2, 4], skip: [], keep: [0, 1, 3] });
  });

  it('with fromStep, re-runs that step and its dependents transitively, done or not', () => {
    const tasks = datasetBuild({ deduplicate: 'failed', package: 'pending' });
    expect(planRerun(tasks, { fromStep: 'validate' }).rerun).toEqual([1, 2, 3, 4]);
    expect(planRerun(tasks, { fromStep: 3 }).rerun).toEqual([2, 3, 4]);
  });

  it('bypasses the steps named in skip: a skipped dependency counts as met', () => {
    const tasks = datasetBuild({ label: 'failed', package: 'pending' });
    expect(planRerun(tasks, { skip: ['label'] })).toEqual({ rerun: [4], skip: [3], keep: [0, 1, 2] });
  });

  it('refuses an unknown fromStep, naming the valid steps', () => {
    const tasks = datasetBuild({});
    expect(() => planRerun(tasks, { fromStep: 'labell' })).toThrow(
      'must be a step name or index (0..4) of this workflow: download, validate, deduplicate, label, package',
    );
    expect(() => planRerun(tasks, { fromStep: 9 })).toThrow(ValidationError);
  });

  it('refuses to skip a completed or unknown step, saying why', () => {
    const tasks = datasetBuild({ label: 'failed' });
    expect(() => planRerun(tasks, { skip: ['download'] })).toThrow('which completed');
    expect(() => planRerun(tasks, { skip: ['nope'] })).toThrow('unknown step "nope"');
  });

  it('on any DAG: keeps exactly the done steps outside the fromStep cone, and closes the re-run set under dependents', () => {
    const dag = fc.integer({ min: 1, max: 25 }).chain((n) =>
      fc.record({
        deps: fc.tuple(
          ...Array.from({ length: n }, (_, i) =>
            fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 3 }),
          ),
        ),
        done: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        from: fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(dag, ({ deps, done, from }) => {
        // A step is only done when all its dependencies are done (as a run leaves them).
        const statuses: TaskStatus[] = [];
        deps.forEach((d, i) => {
          statuses[i] = done[i] && d.every((j) => statuses[j] === 'completed') ? 'completed' : 'failed';
        });
        const tasks = deps.map((d, i) => ({
          stepIndex: i,
          taskName: `s${i}`,
          dependencies: d,
          status: statuses[i] as TaskStatus,
        }));
        const plan = planRerun(tasks, from === undefined ? {} : { fromStep: from });
        const rerun = new Set(plan.rerun);
        for (const task of tasks) {
          // A re-run step's dependents re-run too: nothing downstream keeps a stale result.
          if (rerun.has(task.stepIndex)) continue;
          expect(task.status).toBe('completed');
          for (const dep of task.dependencies) expect(rerun.has(dep)).toBe(false);
        }
        for (const index of plan.rerun)
          expect(statuses[index] !== 'completed' || from !== undefined).toBe(true);
        expect([...plan.rerun, ...plan.keep].sort((a, b) => a - b)).toEqual(tasks.map((t) => t.stepIndex));
      }),
      { numRuns: 300 },
    );
  });
});
