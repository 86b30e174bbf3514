import { consoleUrlOf } from '../contract/executions.js';
import { computeWeightedProgress, estimateCompletion } from '../domain/progress.js';
import { type TaskRecord, taskId, type WorkflowRecord } from '../domain/records.js';

/** A workflow as the API shows it: the record without internal bookkeeping fields. */
export const workflowView = (workflow: WorkflowRecord) => {
  const { pauseTokens: _tokens, completedSteps: _steps, ...visible } = workflow;
  return visible;
};

export const taskView = (task: TaskRecord) => ({ id: taskId(task), ...task });

/** The reference's get_workflow_progress keys (camelCase), plus weighted progress, ETA and links. */
export const progressView = (workflow: WorkflowRecord, tasks: readonly TaskRecord[], now: Date) => {
  const count = (status: TaskRecord['status']) => tasks.filter((t) => t.status === status).length;
  const active =
    workflow.status === 'running' || workflow.status === 'paused' || workflow.status === 'recovering';
  return {
    workflowId: workflow.workflowId,
    jobId: workflow.jobId,
    status: workflow.status,
    progress: workflow.progress,
    currentStep: workflow.currentStep,
    totalSteps: workflow.totalSteps,
    completedTasks: count('completed'),
    failedTasks: count('failed'),
    runningTasks: count('running'),
    totalTasks: tasks.length,
    recoveryAttempts: workflow.recoveryAttempts,
    maxRecoveryAttempts: workflow.maxRecoveryAttempts,
    startedAt: workflow.startedAt ?? null,
    completedAt: workflow.completedAt ?? null,
    weightedProgress: computeWeightedProgress(tasks),
    eta: active ? (estimateCompletion(tasks, now) ?? null) : null,
    executionArn: workflow.executionArn ?? null,
    consoleUrl: workflow.executionArn ? consoleUrlOf(workflow.executionArn) : null,
    tasks: tasks.map((task) => ({
      id: taskId(task),
      name: task.taskName,
      type: task.taskType,
      status: task.status,
      retryCount: task.retryCount,
      errorMessage: task.errorMessage ?? null,
    })),
  };
};
export type ProgressView = ReturnType<typeof progressView>;
