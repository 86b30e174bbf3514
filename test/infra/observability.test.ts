import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/shared/metrics.js';
import { buildApp } from '../../infra/build-app.js';
import { appBundling } from '../../infra/lambda.js';
import { synthTemplate } from '../../infra/synth.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';
import { workflowDefinitions } from '../../state-machines/registry.js';

const template = Template.fromJSON(synthTemplate());
type Resources = Record<string, { Properties: Record<string, unknown>; Condition?: string }>;

const alarms = () =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources).map((a) => a.Properties);
/** Metric names an alarm reads: its own, or those of its metric-math expression. */
const metricNamesOf = (alarm: Record<string, unknown>): string[] => [
  ...(alarm.MetricName ? [String(alarm.MetricName)] : []),
  ...((alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[] | undefined) ?? []).flatMap(
    (m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []),
  ),
];
const alarmsOn = (metricName: string) => alarms().filter((a) => metricNamesOf(a).includes(metricName));
const dashboardBody = (): string => {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
  return JSON.stringify(dashboard?.Properties.DashboardBody);
};

describe('dashboard and alarms', () => {
  it('has one dashboard covering executions, steps, API, DLQ and reconciler', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = dashboardBody();
    for (const metric of [
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionThrottled',
      '5XXError',
      '4XXError',
      'Latency',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body, metric).toContain(metric);
    }
    for (const metric of [
      METRIC.stepDuration,
      METRIC.stepFailed,
      METRIC.stepRetried,
      METRIC.reconcilerRepairs,
      METRIC.workflowsFinished,
      METRIC.recoveries,
    ]) {
      expect(body, metric).toContain(metric);
    }
    expect(body).toContain(METRICS_NAMESPACE);
  });

  it('shows step error rate and p95 duration for every task type', () => {
    const body = dashboardBody();
    const taskTypes = new Set(workflowDefinitions.flatMap((d) => d.steps.map((s) => s.taskType)));
    for (const taskType of taskTypes) {
      expect(body).toContain(`${taskType} error rate`);
      expect(body).toMatch(new RegExp(`StepDuration.{0,80}taskType.{0,10}${taskType}.{0,120}p95`));
    }
  });

  it('alarms on failed, timed-out and throttled executions of every state machine', () => {
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled']) {
      const watched = alarmsOn(metricName).map((a) => JSON.stringify(a));
      for (const machine of machines)
        expect(
          watched.some((d) => d.includes(machine)),
          `${metricName} ${machine}`,
        ).toBe(true);
    }
  });

  it('alarms on API 5xx, 4xx rate and p95 latency, step error rates, DLQ depth and reconciler repairs', () => {
    expect(alarmsOn('5XXError')).toHaveLength(1);
    expect(alarmsOn('4XXError')).toHaveLength(1);
    expect(alarmsOn('Latency').filter((a) => JSON.stringify(a).includes('p95'))).toHaveLength(1);
    // One per dead-letter queue: automatic recovery's and retention's.
    expect(alarmsOn('ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(alarmsOn(METRIC.reconcilerRepairs)).toHaveLength(1);
    const taskTypes = new Set(workflowDefinitions.flatMap((d) => d.steps.map((s) => s.taskType)));
    expect(alarmsOn(METRIC.stepRetried)).toHaveLength(taskTypes.size);
  });

  it('sends every alarm to the alarm topic', () => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });
});

describe('alarm topic', () => {
  it('is encrypted and refuses plain HTTP', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribes the AlarmEmail parameter only when it is not empty', () => {
    template.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    const conditions = template.findConditions('*');
    const [name, condition] =
      Object.entries(conditions).find(([, c]) => JSON.stringify(c).includes('AlarmEmail')) ?? [];
    expect(JSON.stringify(condition)).toContain('Fn::Not');
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription') as Resources);
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.Condition).toBe(name);
    expect(subscriptions[0]?.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
    });
  });
});

describe('logs and traces of every Lambda', () => {
  const functions = Object.entries(template.findResources('AWS::Lambda::Function') as Resources).filter(
    // CDK's own helper functions (log retention, custom resources) are not ours.
    ([, fn]) =>
      JSON.stringify(fn).includes('job-orchestrator:entry') || fn.Properties.Runtime === 'nodejs22.x',
  );

  it('covers the app functions', () => {
    expect(functions.length).toBeGreaterThan(5);
  });

  it('traces with X-Ray and configures Powertools by env var', () => {
    for (const [id, fn] of functions) {
      // Active tracing needs no SDK in the bundle: Lambda records the invocation's segment.
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'job-orchestrator',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0',
      });
    }
  });
});

describe('source maps (CDK context sourceMaps)', () => {
  /** The app's functions (entry metadata: CDK's helper functions are not ours) as synthesized with `context`. */
  const appFunctions = (context: Record<string, unknown>) => {
    const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [], ...context } });
    const stack = buildApp(app);
    const resources = app.synth().getStackArtifact(stack.artifactId).template.Resources as Record<
      string,
      { Type: string; Properties: { Environment: { Variables: Record<string, string> } }; Metadata?: object }
    >;
    const functions = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata && ENTRY_METADATA_KEY in r.Metadata,
    );
    expect(functions.length).toBeGreaterThan(10);
    return functions.map(([id, fn]) => [id, fn.Properties.Environment.Variables] as const);
  };

  it('ships none by default: no map, and Node does not look for one at load', () => {
    for (const [id, variables] of appFunctions({})) expect(variables.NODE_OPTIONS, id).toBeUndefined();
    expect(appBundling(false)).toMatchObject({ sourceMap: false, keepNames: false, minify: true });
  });

  it('ships the map and turns on --enable-source-maps with -c sourceMaps=true', () => {
    for (const [id, variables] of appFunctions({ sourceMaps: 'true' }))
      expect(variables.NODE_OPTIONS, id).toBe('--enable-source-maps');
    expect(appBundling(true)).toMatchObject({ sourceMap: true, keepNames: false, minify: true });
  });

  it('refuses a value that is not true or false', () => {
    expect(() => appFunctions({ sourceMaps: 'yes' })).toThrow(/context "sourceMaps" must be true or false/);
  });
});
