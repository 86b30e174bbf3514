import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DefaultDashboardFactory, MonitoringFacade, notifySns } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { SERVICE_NAME } from '../functions/shared/logger.js';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../functions/shared/metrics.js';
import { alarmTopic } from './alarm-topic.js';

export interface ObservabilityProps {
  /** Prefix of physical names, e.g. `job-orchestrator-dev-`. */
  readonly namePrefix: string;
  /** State machines by a friendly name (alarm names are built from it: ARNs are tokens at synth). */
  readonly stateMachines: Readonly<Record<string, sfn.IStateMachine>>;
  /** Task types run by the steps: one error-rate and one p95-duration series (and alarm) each. */
  readonly taskTypes: readonly string[];
  readonly api: apigw.RestApi;
  /** @default none (the dashboard has no DLQ section) */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
  /** The scheduled reconciler: its repairs (EMF `ReconcilerRepairs`) and errors. @default none */
  readonly reconciler?: lambda.IFunction;
}

/**
 * Alarm thresholds: the most tolerated per 5-minute period (an alarm fires above it). Any failed,
 * timed-out or throttled execution, 5xx or dead letter needs a person; rates and latency get slack.
 */
const THRESHOLD = {
  failedExecutions: 0,
  timedOutExecutions: 0,
  throttledExecutions: 0,
  stepErrorRatePercent: 25,
  api5xx: 0,
  api4xxRate: 0.25,
  apiLatencyP95: Duration.seconds(3),
  deadLetters: 0,
  /** Per hour: a few repairs are expected (events are best effort), many mean lost events. */
  reconcilerRepairs: 5,
};

/**
 * The app's CloudWatch dashboard and alarms (cdk-monitoring-constructs): executions failed, timed out
 * and throttled per state machine; step error rate and p95 duration per task type from the steps'
 * EMF metrics; API 4xx/5xx and latency; DLQ depth; reconciler repairs. Every alarm notifies one
 * encrypted SNS topic; the `AlarmEmail` parameter subscribes an address when it is not empty.
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly monitoring: MonitoringFacade;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = alarmTopic(this);
    this.monitoring = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.namePrefix.replace(/-$/, ''),
        actionsEnabled: true,
        action: notifySns(this.topic),
        datapointsToAlarm: 1,
      },
      metricFactoryDefaults: { namespace: METRICS_NAMESPACE },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: `${props.namePrefix}dashboard`,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    this.monitoring.addLargeHeader('Workflows');
    for (const [name, stateMachine] of Object.entries(props.stateMachines)) {
      this.monitoring.monitorStepFunction({
        stateMachine,
        alarmFriendlyName: name,
        humanReadableName: `State machine ${name}`,
        addFailedExecutionCountAlarm: { Critical: { maxErrorCount: THRESHOLD.failedExecutions } },
        addTimedOutExecutionCountAlarm: { Critical: { maxErrorCount: THRESHOLD.timedOutExecutions } },
        addThrottledExecutionCountAlarm: { Warning: { maxErrorCount: THRESHOLD.throttledExecutions } },
      });
    }
    this.monitorSteps(props.taskTypes);
    this.monitoring.addLargeHeader('API');
    this.monitoring.monitorApiGateway({
      api: props.api,
      alarmFriendlyName: 'control-api',
      humanReadableName: 'Control API',
      apiStage: props.api.deploymentStage.stageName,
      add5XXFaultCountAlarm: { Critical: { maxErrorCount: THRESHOLD.api5xx } },
      add4XXErrorRateAlarm: { Warning: { maxErrorRate: THRESHOLD.api4xxRate } },
      addLatencyP95Alarm: { Warning: { maxLatency: THRESHOLD.apiLatencyP95 } },
    });
    this.monitorRecovery(props);
  }

  private monitorSteps(taskTypes: readonly string[]): void {
    const metric = (name: string, taskType: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: SERVICE_NAME, [DIMENSION.taskType]: taskType },
        statistic,
        period: Duration.minutes(5),
      });
    // Metric ids must be unique within a graph, so each task type's expression gets its own suffix.
    const errorRate = (taskType: string, i: number) =>
      new cloudwatch.MathExpression({
        // Failed or retried attempts over all attempts, in percent; 0 when nothing ran.
        expression: `IF(done${i} + retried${i} + failed${i} > 0, 100 * (retried${i} + failed${i}) / (done${i} + retried${i} + failed${i}), 0)`,
        usingMetrics: {
          [`done${i}`]: metric(METRIC.stepCompleted, taskType, 'Sum'),
          [`retried${i}`]: metric(METRIC.stepRetried, taskType, 'Sum'),
          [`failed${i}`]: metric(METRIC.stepFailed, taskType, 'Sum'),
        },
        label: `${taskType} error rate (%)`,
        period: Duration.minutes(5),
      });
    this.monitoring.addLargeHeader('Steps (EMF)');
    this.monitoring.monitorCustom({
      alarmFriendlyName: 'Steps',
      humanReadableName: 'Steps by task type',
      metricGroups: [
        {
          title: 'Step error rate (%)',
          metrics: taskTypes.map((taskType, i) => ({
            metric: errorRate(taskType, i),
            alarmFriendlyName: `StepErrorRate-${taskType}`,
            addAlarm: {
              Warning: {
                threshold: THRESHOLD.stepErrorRatePercent,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
              },
            },
          })),
        },
        {
          title: 'Step duration p95 (ms)',
          metrics: taskTypes.map((taskType) => metric(METRIC.stepDuration, taskType, 'p95')),
        },
        {
          title: 'Workflows by final status, recoveries',
          metrics: [
            ...['completed', 'failed', 'cancelled'].map(
              (status) =>
                new cloudwatch.Metric({
                  namespace: METRICS_NAMESPACE,
                  metricName: METRIC.workflowsFinished,
                  dimensionsMap: { service: SERVICE_NAME, [DIMENSION.status]: status },
                  statistic: 'Sum',
                  label: status,
                }),
            ),
            new cloudwatch.Metric({
              namespace: METRICS_NAMESPACE,
              metricName: METRIC.recoveries,
              dimensionsMap: { service: SERVICE_NAME },
              statistic: 'Sum',
              label: 'recoveries',
            }),
          ],
        },
      ],
    });
  }

  /** DLQ depth and reconciler repairs: the signs that automatic recovery is not keeping up. */
  private monitorRecovery(props: ObservabilityProps): void {
    if (!props.deadLetterQueues?.length && !props.reconciler) return;
    this.monitoring.addLargeHeader('Recovery');
    for (const queue of props.deadLetterQueues ?? []) {
      this.monitoring.monitorSqsQueue({
        queue,
        addQueueMaxSizeAlarm: { Critical: { maxMessageCount: THRESHOLD.deadLetters } },
      });
    }
    if (!props.reconciler) return;
    this.monitoring.monitorCustom({
      alarmFriendlyName: 'Reconciler',
      humanReadableName: 'Reconciler repairs',
      metricGroups: [
        {
          title: 'Workflows repaired by the reconciler',
          metrics: [
            {
              metric: new cloudwatch.Metric({
                namespace: METRICS_NAMESPACE,
                metricName: METRIC.reconcilerRepairs,
                dimensionsMap: { service: SERVICE_NAME },
                statistic: 'Sum',
                period: Duration.hours(1),
              }),
              alarmFriendlyName: 'ReconcilerRepairs',
              addAlarm: {
                Warning: {
                  threshold: THRESHOLD.reconcilerRepairs,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                },
              },
            },
          ],
        },
      ],
    });
    this.monitoring.monitorLambdaFunction({ lambdaFunction: props.reconciler });
  }
}
