import type { Definition, Progress, Task, Workflow } from './client.js';
import { etaText } from './eta.js';
import { itemsText, progressBar } from './progress-line.js';

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

/** The headline of `status`: status, bar, steps done and the ETA (see etaText). */
export const statusLine = (
  progress: Pick<Progress, 'status' | 'progress' | 'currentStep' | 'totalSteps' | 'eta'>,
  now: Date = new Date(),
): string =>
  [
    progress.status.padEnd(10),
    `▕${progressBar(progress.progress)}▏ ${progress.progress}%`,
    `${progress.currentStep}/${progress.totalSteps} steps`,
    etaText(progress, now),
  ]
    .filter(Boolean)
    .join('  ');

/**
 * One row per task; with an `items` column (`3,412/10,000 (12 failed)`) when a fan-out step has
 * item counters.
 */
const taskTable = (tasks: readonly Task[]): string => {
  const fanOut = tasks.some((t) => itemsText(t.items) !== '');
  return table(
    ['#', 'task', 'type', 'status', 'attempts', 'retries', 'duration', ...(fanOut ? ['items'] : []), 'error'],
    tasks.map((t) => [
      String(t.stepIndex),
      t.taskName,
      t.taskType,
      t.status,
      String(t.attempts),
      String(t.retryCount),
      t.actualDuration === undefined ? '-' : `${t.actualDuration}s`,
      ...(fanOut ? [itemsText(t.items) || '-'] : []),
      t.errorMessage ?? '',
    ]),
  );
};

/** `status <id>`: the full id and job, the headline with a progress bar, then one row per task. */
export const statusText = (
  workflow: Workflow,
  progress: Pick<Progress, 'status' | 'progress' | 'currentStep' | 'totalSteps' | 'eta'>,
  tasks: readonly Task[],
  now: Date = new Date(),
): string =>
  [
    `${workflow.workflowId}  ${workflow.definitionName}  job ${workflow.jobId}`,
    statusLine(progress, now),
    ...(workflow.errorMessage ? [`error: ${workflow.errorMessage}`] : []),
    '',
    taskTable(tasks),
  ].join('\n');

/** `list`: one row per workflow (full ids), newest first. */
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

/** `definitions`: each definition's name, version and description, then its steps. */
export const definitionsText = (definitions: readonly Definition[]): string =>
  definitions.length === 0
    ? 'no definitions'
    : definitions
        .map((d) => {
          const names = new Map(d.steps.map((s) => [s.index, s.name]));
          return [
            `${d.name}  version ${d.version}  ${d.steps.length} steps  up to ${d.maxRecoveryAttempts} recoveries`,
            ...(d.description ? [`  ${d.description}`] : []),
            table(
              ['  #', 'step', 'type', 'after', 'retries', 'timeout', 'estimate'],
              d.steps.map((s) => [
                `  ${s.index}`,
                s.name,
                s.taskType,
                s.dependencies.length > 0
                  ? s.dependencies.map((i) => names.get(i) ?? String(i)).join(',')
                  : '-',
                String(s.maxRetries),
                `${s.timeout}s`,
                `${s.estimatedDuration}s`,
              ]),
            ),
          ].join('\n');
        })
        .join('\n\n');
