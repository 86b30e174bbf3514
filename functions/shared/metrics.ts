import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, SERVICE_NAME } from './logger.js';

/** CloudWatch namespace of the app's EMF metrics (infra/lambda.ts sets POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'JobOrchestrator';

/** Metric names: the dashboard and alarms (infra/observability.ts) read the same constants. */
export const METRIC = {
  stepCompleted: 'StepCompleted',
  /** An attempt failed and Step Functions will try again. */
  stepRetried: 'StepRetried',
  /** An attempt failed for good (fatal error or retries exhausted), as seen by the step itself. */
  stepFailed: 'StepFailed',
  stepDuration: 'StepDuration',
  recoveries: 'Recoveries',
  workflowsFinished: 'WorkflowsFinished',
  reconcilerRepairs: 'ReconcilerRepairs',
} as const;

/** Dimension names besides Powertools' own `service`. */
export const DIMENSION = { taskType: 'taskType', status: 'status' } as const;

/**
 * Functions that emit nothing in an invocation (the pause gate, most API calls) are normal here, so
 * Powertools' "No application metrics to publish" warning goes to debug instead of every log stream.
 */
const metricsLogger = {
  debug: (...args: unknown[]) => logger.debug(String(args[0])),
  info: (...args: unknown[]) => logger.info(String(args[0])),
  warn: (...args: unknown[]) =>
    String(args[0]).startsWith('No application metrics')
      ? logger.debug(String(args[0]))
      : logger.warn(String(args[0])),
  error: (...args: unknown[]) => logger.error(String(args[0])),
};

/** One EMF metrics buffer per process, flushed after each invocation by the logMetrics middleware. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  logger: metricsLogger,
});

/** Counts and times one step attempt, by task type (one dimension set per step invocation). */
export const recordStepAttempt = (
  taskType: string,
  outcome: 'completed' | 'retried' | 'failed',
  durationMs: number,
): void => {
  metrics.addDimension(DIMENSION.taskType, taskType);
  const name =
    outcome === 'completed'
      ? METRIC.stepCompleted
      : outcome === 'retried'
        ? METRIC.stepRetried
        : METRIC.stepFailed;
  metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.addMetric(METRIC.stepDuration, MetricUnit.Milliseconds, durationMs);
};

/**
 * Published at once in a metric of its own: its `status` dimension must not join the step's
 * `taskType` dimension set of the same invocation.
 */
export const recordWorkflowFinished = (status: 'completed' | 'failed' | 'cancelled'): void => {
  const single = metrics.singleMetric();
  single.addDimension(DIMENSION.status, status);
  single.addMetric(METRIC.workflowsFinished, MetricUnit.Count, 1);
};

/** A recovery run started (manual or automatic): both go through Orchestrator.recover. */
export const recordRecovery = (): void => {
  metrics.singleMetric().addMetric(METRIC.recoveries, MetricUnit.Count, 1);
};

/** Workflows the reconciler found out of step with their execution and repaired (for functions/recovery). */
export const recordReconcilerRepairs = (count: number): void => {
  metrics.singleMetric().addMetric(METRIC.reconcilerRepairs, MetricUnit.Count, count);
};
