import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { createAppFunction, seconds } from '../../infra/lambda.js';
import { addNagChecks, STAR_RESOURCE_ACTIONS } from '../../infra/nag.js';
import { APPLICATION_SIGNALS_LOG_GROUP, OTEL_EXEC_WRAPPER, OTEL_LAYERS } from '../../infra/otel-layer.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};
type Statement = { Action: string | string[]; Effect: string; Resource: unknown };
type Template_ = { Resources: Record<string, Resource>; Mappings?: Record<string, unknown> };

const synth = (context: Record<string, unknown> = {}, nag = false): Template_ => {
  const app = new App({ context: { stage: 'dev', 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = buildApp(app);
  if (nag) addNagChecks(app);
  return app.synth().getStackArtifact(stack.artifactId).template as Template_;
};

/** The app's own functions: CDK's helper functions (custom resource providers) are not ours. */
const appFunctions = (template: Template_): [string, Resource][] =>
  Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY],
  );
const variablesOf = (fn: Resource) =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const policies = (template: Template_) =>
  Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .map(([id, r]) => [id, r.Properties]),
  );

const layerArn = (version: unknown) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':lambda:',
      { Ref: 'AWS::Region' },
      ':',
      { 'Fn::FindInMap': ['OpenTelemetryLayers', { Ref: 'AWS::Region' }, 'account'] },
      ':layer:AWSOpenTelemetryDistroJs:',
      version,
    ],
  ],
});
const applicationSignalsStatement = {
  Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':logs:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:log-group:${APPLICATION_SIGNALS_LOG_GROUP}:*`,
      ],
    ],
  },
};

const off = synth();
const on = synth({ otel: 'true' });

describe('OpenTelemetry layer (CDK context otel)', () => {
  it('is off by default: no layer, no wrapper, no mapping, and the same IAM as ever', () => {
    const functions = appFunctions(off);
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Layers, id).toBeUndefined();
      expect(
        Object.keys(variablesOf(fn)).filter((name) => /^(AWS_LAMBDA_EXEC_WRAPPER|OTEL_)/.test(name)),
        id,
      ).toEqual([]);
    }
    expect(off.Mappings?.OpenTelemetryLayers).toBeUndefined();
    expect(JSON.stringify(policies(off))).not.toContain('application-signals');
  });

  it('gives every function the layer of its region and the wrapper that starts the SDK', () => {
    const functions = appFunctions(on);
    expect(functions).toHaveLength(appFunctions(off).length);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Layers, id).toEqual([
        layerArn({ 'Fn::FindInMap': ['OpenTelemetryLayers', { Ref: 'AWS::Region' }, 'version'] }),
      ]);
      expect(variablesOf(fn), id).toMatchObject({
        AWS_LAMBDA_EXEC_WRAPPER: OTEL_EXEC_WRAPPER,
        OTEL_AWS_APPLICATION_SIGNALS_ENABLED: 'true',
      });
    }
    // CDK's own helper functions keep their code as CDK made them.
    const helpers = Object.entries(on.Resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && !r.Metadata?.[ENTRY_METADATA_KEY],
    );
    for (const [id, fn] of helpers) expect(fn.Properties.Layers, id).toBeUndefined();
  });

  it('looks the layer up per region: the mapping is the published table', () => {
    expect(on.Mappings?.OpenTelemetryLayers).toEqual(
      Object.fromEntries(
        Object.entries(OTEL_LAYERS).map(([region, { account, version }]) => [
          region,
          { account, version: String(version) },
        ]),
      ),
    );
    for (const [region, { account, version }] of Object.entries(OTEL_LAYERS)) {
      expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
      expect(account, region).toMatch(/^\d{12}$/);
      expect(version, region).toBeGreaterThanOrEqual(1);
    }
    expect(OTEL_LAYERS['us-east-1']).toEqual({ account: '615299751070', version: 15 });
  });

  it('takes the layer version from context otelLayerVersion', () => {
    const pinned = synth({ otel: true, otelLayerVersion: '16' });
    for (const [id, fn] of appFunctions(pinned))
      expect(JSON.stringify(fn.Properties.Layers), id).toBe(
        JSON.stringify([layerArn('16')]).replace(
          'AWSOpenTelemetryDistroJs:","16"',
          'AWSOpenTelemetryDistroJs:16"',
        ),
      );
  });

  it('names the layer ARN outright in a stack whose region is known, and refuses a region with no layer', () => {
    const arnIn = (region: string, context: Record<string, unknown> = {}) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], otel: true, ...context } });
      const stack = new Stack(app, 'Regional', { env: { region, account: '111111111111' } });
      createAppFunction(stack, 'Fn', { entry: 'test/fixtures/local/handler.ts', timeout: seconds(1) });
      const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(1);
      return JSON.stringify(functions[0]?.Properties.Layers);
    };
    expect(arnIn('eu-central-2')).toContain(
      ':lambda:eu-central-2:156041407956:layer:AWSOpenTelemetryDistroJs:15',
    );
    expect(arnIn('us-west-2', { otelLayerVersion: 14 })).toContain(
      ':lambda:us-west-2:615299751070:layer:AWSOpenTelemetryDistroJs:14',
    );
    expect(() => arnIn('xx-nowhere-1')).toThrow(
      /no AWSOpenTelemetryDistroJs layer is listed for region xx-nowhere-1/,
    );
  });

  it('refuses a context value it cannot read, naming the setting', () => {
    expect(() => synth({ otel: 'yes' })).toThrow(/context "otel" must be true or false/);
    expect(() => synth({ otel: true, otelLayerVersion: 'latest' })).toThrow(/context "otelLayerVersion"/);
    expect(() => synth({ otel: true, otelApplicationSignals: 'no' })).toThrow(
      /context "otelApplicationSignals" must be true or false/,
    );
  });
});

describe('OpenTelemetry layer: least privilege', () => {
  it('adds no permission for traces: active tracing already grants the X-Ray writes', () => {
    const tracesOnly = synth({ otel: true, otelApplicationSignals: false });
    expect(policies(tracesOnly)).toEqual(policies(off));
    for (const [id, fn] of appFunctions(tracesOnly))
      expect(variablesOf(fn).OTEL_AWS_APPLICATION_SIGNALS_ENABLED, id).toBe('false');
  });

  it('adds, for Application Signals, writes to its one log group in this account and region, and nothing else', () => {
    const withSignals = policies(on);
    const without = policies(off);
    expect(Object.keys(withSignals).sort()).toEqual(Object.keys(without).sort());
    let granted = 0;
    for (const [id, policy] of Object.entries(withSignals)) {
      const document = policy.PolicyDocument as { Statement: Statement[] };
      const rest = document.Statement.filter(
        (s) => JSON.stringify(s) !== JSON.stringify(applicationSignalsStatement),
      );
      granted += document.Statement.length - rest.length;
      expect({ ...policy, PolicyDocument: { ...document, Statement: rest } }, id).toEqual(without[id]);
    }
    expect(granted).toBe(appFunctions(on).length);
  });

  it.each<Record<string, unknown>>([
    { otel: true },
    { otel: true, otelApplicationSignals: false },
    { otel: true, stage: 'prod', apiAuth: 'apiKey' },
  ])(
    'passes the AWS Solutions rule pack and names "*" only for actions IAM grants on "*" (%j)',
    (context) => {
      const template = synth(context, true);
      for (const statement of Object.values(policies(template)).flatMap(
        (p) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
      )) {
        if (statement.Resource === '*')
          for (const action of [statement.Action].flat()) expect(STAR_RESOURCE_ACTIONS).toContain(action);
      }
    },
  );
});

describe('tracing without the layer', () => {
  it.each([
    ['off', off],
    ['on', on],
  ])('keeps active tracing on every function and state machine (otel %s)', (_, template) => {
    for (const [id, fn] of appFunctions(template))
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    const machines = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    expect(machines.length).toBeGreaterThan(1);
    for (const [id, machine] of machines)
      expect(machine.Properties.TracingConfiguration, id).toEqual({ Enabled: true });
  });
});
