import type { ResultReference } from '../contract/execution.js';
import type { TaskRecord } from './records.js';

/** The execution state's reference to a task's stored result (docs/behaviour.md, "Results"). */
export const resultReferenceOf = (task: Pick<TaskRecord, 'result' | 'resultObject'>): ResultReference =>
  task.resultObject
    ? { stored: 's3', bytes: task.resultObject.bytes }
    : { stored: 'task', bytes: Buffer.byteLength(JSON.stringify(task.result)) };
