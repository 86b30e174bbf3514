import type { Task, Workflow } from './client.js';
import { type ProgressSnapshot, progressBar } from './progress-line.js';

/** Left-aligned columns wide enough for every cell. */
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
};

/** `status <id>`: the headline with a progress bar, then one row per task. */
export const statusText = (workflow: Workflow, progress: ProgressSnapshot, tasks: readonly Task[]): string =>
  [
    `${workflow.workflowId}  ${workflow.definitionName}  job ${workflow.jobId}`,
    `${progress.status.padEnd(10)} ▕${progressBar(progress.progress)}▏ ${progress.progress}%  ${progress.currentStep}/${progress.totalSteps} steps${progress.eta ? `  ETA ${progress.eta}` : ''}`,
    ...(workflow.errorMessage ? [`error: ${workflow.errorMessage}`] : []),
    '',
    table(
      ['#', 'task', 'type', 'status', 'attempts', 'retries', 'duration', 'error'],
      tasks.map((t) => [
        String(t.stepIndex),
        t.taskName,
        t.taskType,
        t.status,
        String(t.attempts),
        String(t.retryCount),
        t.actualDuration === undefined ? '-' : `${t.actualDuration}s`,
        t.errorMessage ?? '',
      ]),
    ),
  ].join('\n');

/** `list`: one row per workflow, newest first. */
export const listText = (workflows: readonly Workflow[]): string =>
  workflows.length === 0
    ? 'no workflows'
    : table(
        ['workflow', 'job', 'definition', 'status', 'progress', 'created'],
        workflows.map((w) => [
          w.workflowId,
          w.jobId,
          w.definitionName,
          w.status,
          `${w.progress}%`,
          w.createdAt,
        ]),
      );
