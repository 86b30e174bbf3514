import { FatalStepError } from '../domain/errors.js';
import type { TaskRecord } from '../domain/records.js';
import type { ResultStore } from './result-store.js';

/** The largest stored result an API response includes (each), and all of them together. */
export const API_RESULT_BYTES = 256 * 1024;
export const API_RESULTS_BUDGET_BYTES = 4 * 1024 * 1024;

/**
 * Tasks as the API shows them: a result kept in the bucket is read back and shown in `result` while
 * it is at most 256 KiB and the response stays within 4 MB (a Lambda answers at most 6 MB); a larger
 * one stays `{}` beside its `resultObject`, which says where it is and its size
 * (docs/behaviour.md, "Results").
 */
export const withStoredResults = async (
  tasks: readonly TaskRecord[],
  store: () => ResultStore,
): Promise<TaskRecord[]> => {
  let budget = API_RESULTS_BUDGET_BYTES;
  const shown = tasks.map((task) => {
    const bytes = task.resultObject?.bytes;
    if (bytes === undefined || bytes > API_RESULT_BYTES || bytes > budget) return false;
    budget -= bytes;
    return true;
  });
  return Promise.all(
    tasks.map(async (task, i) => {
      if (!shown[i]) return task;
      // An expired object leaves the task as it is stored (`{}` beside `resultObject`), not a 5xx.
      const result = await store()
        .load(task)
        .catch((error: Error) => {
          if (error instanceof FatalStepError) return undefined;
          throw error;
        });
      return result ? { ...task, result } : task;
    }),
  );
};
