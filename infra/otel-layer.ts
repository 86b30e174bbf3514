import { ArnFormat, CfnMapping, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { booleanContext } from './context.js';

/** AWS's OpenTelemetry layer for Node.js, the one with Application Signals (docs/architecture.md, "Tracing"). */
export const OTEL_LAYER_NAME = 'AWSOpenTelemetryDistroJs';
/** The layer's start script: it loads the OpenTelemetry SDK before the handler module. */
export const OTEL_EXEC_WRAPPER = '/opt/otel-instrument';
/** Where Application Signals writes its data; the one log group the layer needs to write to. */
export const APPLICATION_SIGNALS_LOG_GROUP = '/aws/application-signals/data';

/**
 * Per region, the account that publishes the layer and its newest version there (the ADOT JavaScript
 * v0.12.0 release, July 2026). Accounts and versions differ between regions, so the ARN is looked up,
 * never built from one account; `-c otelLayerVersion=N` picks another version in the deploy region.
 */
export const OTEL_LAYERS: Readonly<Record<string, { readonly account: string; readonly version: number }>> = {
  'af-south-1': { account: '904233096616', version: 15 },
  'ap-east-1': { account: '888577020596', version: 15 },
  'ap-east-2': { account: '412664885777', version: 4 },
  'ap-northeast-1': { account: '615299751070', version: 15 },
  'ap-northeast-2': { account: '615299751070', version: 15 },
  'ap-northeast-3': { account: '615299751070', version: 15 },
  'ap-south-1': { account: '615299751070', version: 15 },
  'ap-south-2': { account: '796973505492', version: 15 },
  'ap-southeast-1': { account: '615299751070', version: 15 },
  'ap-southeast-2': { account: '615299751070', version: 15 },
  'ap-southeast-3': { account: '039612877180', version: 15 },
  'ap-southeast-4': { account: '713881805771', version: 15 },
  'ap-southeast-5': { account: '152034782359', version: 8 },
  'ap-southeast-6': { account: '313828097273', version: 3 },
  'ap-southeast-7': { account: '980416031188', version: 8 },
  'ca-central-1': { account: '615299751070', version: 15 },
  'ca-west-1': { account: '595944127152', version: 8 },
  'cn-north-1': { account: '440179912924', version: 8 },
  'cn-northwest-1': { account: '440180067931', version: 8 },
  'eu-central-1': { account: '615299751070', version: 15 },
  'eu-central-2': { account: '156041407956', version: 15 },
  'eu-north-1': { account: '615299751070', version: 15 },
  'eu-south-1': { account: '257394471194', version: 15 },
  'eu-south-2': { account: '490004653786', version: 15 },
  'eu-west-1': { account: '615299751070', version: 15 },
  'eu-west-2': { account: '615299751070', version: 15 },
  'eu-west-3': { account: '615299751070', version: 15 },
  'il-central-1': { account: '746669239226', version: 15 },
  'me-central-1': { account: '739275441131', version: 15 },
  'me-south-1': { account: '980921751758', version: 12 },
  'mx-central-1': { account: '610118373846', version: 8 },
  'sa-east-1': { account: '615299751070', version: 15 },
  'us-east-1': { account: '615299751070', version: 15 },
  'us-east-2': { account: '615299751070', version: 15 },
  'us-west-1': { account: '615299751070', version: 15 },
  'us-west-2': { account: '615299751070', version: 15 },
};

export interface OtelSettings {
  /** @default the region's version in OTEL_LAYERS */
  readonly layerVersion?: number;
  /** Application Signals (service metrics and map) on top of the traces. */
  readonly applicationSignals: boolean;
}

/**
 * CDK context `otel` (`-c otel=true`), with `otelLayerVersion` and `otelApplicationSignals` (default
 * true, as AWS recommends); undefined when the layer is off, the default: its SDK loads on every cold
 * start, and active tracing alone already records each invocation.
 */
export const otelOf = (scope: Construct): OtelSettings | undefined => {
  if (!booleanContext(scope, 'otel', false)) return undefined;
  const applicationSignals = booleanContext(scope, 'otelApplicationSignals', true);
  const version: unknown = scope.node.tryGetContext('otelLayerVersion');
  if (version === undefined) return { applicationSignals };
  const layerVersion =
    typeof version === 'string' && /^\d+$/.test(version.trim()) ? Number(version) : version;
  if (typeof layerVersion === 'number' && Number.isSafeInteger(layerVersion) && layerVersion >= 1)
    return { applicationSignals, layerVersion };
  throw new Error(
    `context "otelLayerVersion" must be a layer version number >= 1 (got ${JSON.stringify(version)})`,
  );
};

/**
 * The layer's ARN in the stack's region: looked up at synth when the stack names its region, else at
 * deploy time through a mapping on the AWS::Region the stack lands in.
 */
export const otelLayerArn = (scope: Construct, layerVersion?: number): string => {
  const stack = Stack.of(scope);
  const arn = (account: string, version: string) =>
    `arn:${stack.partition}:lambda:${stack.region}:${account}:layer:${OTEL_LAYER_NAME}:${version}`;
  if (!Token.isUnresolved(stack.region)) {
    const published = OTEL_LAYERS[stack.region];
    if (!published)
      throw new Error(
        `no ${OTEL_LAYER_NAME} layer is listed for region ${stack.region}: add it to OTEL_LAYERS (infra/otel-layer.ts) or deploy without -c otel=true`,
      );
    return arn(published.account, String(layerVersion ?? published.version));
  }
  const id = 'OpenTelemetryLayers';
  const mapping =
    (stack.node.tryFindChild(id) as CfnMapping | undefined) ??
    new CfnMapping(stack, id, {
      mapping: Object.fromEntries(
        Object.entries(OTEL_LAYERS).map(([region, { account, version }]) => [
          region,
          { account, version: String(version) },
        ]),
      ),
    });
  return arn(
    mapping.findInMap(stack.region, 'account'),
    layerVersion === undefined ? mapping.findInMap(stack.region, 'version') : String(layerVersion),
  );
};

/**
 * The OpenTelemetry layer on a function: the layer, the wrapper that starts its SDK, and (with
 * Application Signals) write access to the Application Signals log group alone. Traces need no more
 * than active tracing's X-Ray grant, which every function has.
 */
export const addOpenTelemetry = (fn: lambda.Function, settings: OtelSettings): void => {
  const stack = Stack.of(fn);
  const layerId = 'OpenTelemetryLayer';
  const existing = stack.node.tryFindChild(layerId) as lambda.ILayerVersion | undefined;
  fn.addLayers(
    existing ??
      lambda.LayerVersion.fromLayerVersionArn(stack, layerId, otelLayerArn(stack, settings.layerVersion)),
  );
  fn.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', OTEL_EXEC_WRAPPER);
  fn.addEnvironment('OTEL_AWS_APPLICATION_SIGNALS_ENABLED', String(settings.applicationSignals));
  if (!settings.applicationSignals) return;
  const logGroupStreams = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: `${APPLICATION_SIGNALS_LOG_GROUP}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  // What AWS's managed policy for this grants, less its X-Ray part (already granted) and its any-region
  // scope: a managed policy would be a finding of its own and reach every region's log group.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroupStreams],
    }),
  );
  if (existing) return;
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${APPLICATION_SIGNALS_LOG_GROUP}:*]`,
    reason:
      'The OpenTelemetry layer writes Application Signals data to log streams it names at run time, in this one log group (docs/architecture.md, "Tracing").',
  });
};
