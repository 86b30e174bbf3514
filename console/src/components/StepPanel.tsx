import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { durationText, timeText } from '../status';
import type { ItemOutcome, Task, Workflow } from '../types';
import { canRun } from './Actions';
import { StatusBadge } from './Status';

/*
 * The selected step: status, attempts, times, error, a preview of its result, a fan-out step's item
 * counters and failed items (GET …/tasks/{step}/items?status=failed), and "Recover from this step".
 */

const PREVIEW_CHARS = 600;

const preview = (task: Task): string => {
  if (task.resultObject && Object.keys(task.result).length === 0)
    return `(kept in S3: ${task.resultObject.bytes} bytes, ${task.resultObject.key})`;
  const text = JSON.stringify(task.result, null, 2);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}\n…` : text;
};

const FailedItems = ({ workflowId, task }: { workflowId: string; task: Task }) => {
  const [items, setItems] = useState<readonly ItemOutcome[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const failed = task.items?.failed ?? 0;
  useEffect(() => {
    if (failed === 0) return;
    api
      .failedItems(workflowId, task.taskName)
      .then(({ data }) => setItems(data.items))
      .catch((failure: Error) => setError(failure.message));
  }, [workflowId, task.taskName, failed]);
  if (failed === 0) return null;
  if (error) return <p class="error">Failed items: {error}</p>;
  if (!items) return <p>Loading failed items…</p>;
  return (
    <table class="items" aria-label={`Failed items of ${task.taskName}`}>
      <thead>
        <tr>
          <th scope="col">item</th>
          <th scope="col">attempts</th>
          <th scope="col">error</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.index}>
            <td>{item.index}</td>
            <td>{item.attempts}</td>
            <td>{item.error ? `${item.error.type}: ${item.error.message}` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

interface StepPanelProps {
  readonly workflow: Workflow;
  readonly task: Task;
  readonly onRecoverFrom: () => void;
}

export const StepPanel = ({ workflow, task, onRecoverFrom }: StepPanelProps) => {
  const running =
    task.startedAt && !task.completedAt ? (Date.now() - Date.parse(task.startedAt)) / 1000 : undefined;
  return (
    <section class="step-panel" aria-label={`Step ${task.taskName}`} data-panel-step={task.taskName}>
      <h3>
        {task.taskName} <StatusBadge status={task.status} />
      </h3>
      <dl>
        <dt>type</dt>
        <dd>{task.taskType}</dd>
        <dt>attempts</dt>
        <dd>
          {task.attempts} of {task.maxRetries + 1} ({task.retryCount} retries; {task.totalAttempts} over every
          run)
        </dd>
        <dt>started</dt>
        <dd>{timeText(task.startedAt)}</dd>
        <dt>completed</dt>
        <dd>{timeText(task.completedAt)}</dd>
        <dt>duration</dt>
        <dd>
          {task.actualDuration !== undefined
            ? durationText(task.actualDuration)
            : running !== undefined
              ? `${durationText(running)} so far`
              : '—'}{' '}
          (estimated {durationText(task.estimatedDuration)}, timeout {task.timeout} s)
        </dd>
        {task.items ? (
          <>
            <dt>items</dt>
            <dd>
              {task.items.succeeded} succeeded, {task.items.failed} failed, of {task.items.total}
            </dd>
          </>
        ) : null}
      </dl>
      {task.errorMessage ? (
        <p class="error">
          <strong>{task.errorType ?? 'Error'}:</strong> {task.errorMessage}
        </p>
      ) : null}
      <FailedItems workflowId={workflow.workflowId} task={task} />
      <details>
        <summary>Result</summary>
        <pre class="result">{preview(task)}</pre>
      </details>
      <button
        type="button"
        data-action="recover-from"
        disabled={!canRun('recover', workflow)}
        onClick={onRecoverFrom}
      >
        Recover from {task.taskName}
      </button>
    </section>
  );
};
