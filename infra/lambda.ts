import { relative, resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '../functions/shared/logger.js';
import { METRICS_NAMESPACE } from '../functions/shared/metrics.js';
import { booleanContext } from './context.js';
import { addOpenTelemetry, otelOf } from './otel-layer.js';
import { REPO_ROOT } from './repo-root.js';
import { ENTRY_METADATA_KEY } from './template-keys.js';

export interface AppFunctionProps {
  /** Handler module relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  readonly description?: string;
  readonly logGroup?: logs.ILogGroup;
}

/** The runtime of every function; the bundles target the same Node.js (`appBundling().target`). */
export const APP_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * The esbuild options of every function, in one place: bench/coldstart.ts bundles with exactly these,
 * so its figures are those of what ships (docs/architecture.md, "Lambda runtime").
 */
export const appBundling = (sourceMaps: boolean): BundlingOptions => ({
  minify: true,
  // Names are not kept (~5 % of every bundle, 10 KB of the API's): the names that are a contract,
  // the errors' for Retry/Catch and the API, are strings in their classes (test/unit/domain/
  // error-names.test.ts checks them in this bundle). Readable stack traces: -c sourceMaps=true.
  keepNames: false,
  // The map is several times the bundle; it ships only when a stage asks (sourceMapsOf).
  sourceMap: sourceMaps,
  target: 'node22',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // The Node.js 22 runtime provides the AWS SDK v3; named here, not left to a CDK default, so the
  // bench leaves out exactly what the deployment package leaves out.
  externalModules: ['@aws-sdk/*'],
  // ESM bundles still meet CommonJS dependencies that call require().
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  forceDockerBundling: false,
});

/**
 * Every Lambda of the app: Node 22 on arm64, bundled locally by esbuild (no Docker), minified, with
 * active tracing, and tagged with its entry so the local stack can run the same module in-process.
 * CDK context `sourceMaps` and `otel` add the source map and the OpenTelemetry layer.
 */
export const createAppFunction = (scope: Construct, id: string, props: AppFunctionProps): NodejsFunction => {
  const sourceMaps = sourceMapsOf(scope);
  const fn = new NodejsFunction(scope, id, {
    entry: resolve(REPO_ROOT, props.entry),
    handler: 'handler',
    runtime: APP_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout,
    // Lambda records each invocation's segment itself: no tracing SDK in the bundle.
    tracing: lambda.Tracing.ACTIVE,
    ...(props.description ? { description: props.description } : {}),
    ...(props.logGroup ? { logGroup: props.logGroup } : {}),
    environment: {
      // Node reads and parses the map at load when asked to: a cold-start cost paid only with the map.
      ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      ...powertoolsEnvironment(scope),
      ...props.environment,
    },
    bundling: appBundling(sourceMaps),
    depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
    projectRoot: REPO_ROOT,
  });
  const otel = otelOf(scope);
  if (otel) addOpenTelemetry(fn, otel);
  (fn.node.defaultChild as lambda.CfnFunction).addMetadata(
    ENTRY_METADATA_KEY,
    relative(REPO_ROOT, resolve(REPO_ROOT, props.entry)),
  );
  return fn;
};

/**
 * CDK context `sourceMaps` (`-c sourceMaps=true`): ship each bundle's source map and have Node apply
 * it to stack traces. @default false
 */
export const sourceMapsOf = (scope: Construct): boolean => booleanContext(scope, 'sourceMaps', false);

/**
 * Powertools settings of every function. Level and debug sampling come from CDK context (`logLevel`,
 * `logSampleRate`) so a stage can turn them up without a code change; tracing needs no variable
 * (Tracing.ACTIVE above).
 */
export const powertoolsEnvironment = (scope: Construct): Record<string, string> => ({
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_LOG_LEVEL: String(scope.node.tryGetContext('logLevel') ?? 'INFO'),
  POWERTOOLS_LOGGER_SAMPLE_RATE: String(scope.node.tryGetContext('logSampleRate') ?? '0'),
});

export const seconds = (value: number): Duration => Duration.seconds(value);
