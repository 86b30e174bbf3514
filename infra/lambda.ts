import { relative, resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '../functions/shared/logger.js';
import { METRICS_NAMESPACE } from '../functions/shared/metrics.js';
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

/**
 * Every Lambda of the app: Node 22 on arm64, bundled locally by esbuild (no Docker), minified, with
 * source maps, and tagged with its entry so the local stack can run the same module in-process.
 */
export const createAppFunction = (scope: Construct, id: string, props: AppFunctionProps): NodejsFunction => {
  const fn = new NodejsFunction(scope, id, {
    entry: resolve(REPO_ROOT, props.entry),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout,
    tracing: lambda.Tracing.ACTIVE,
    ...(props.description ? { description: props.description } : {}),
    ...(props.logGroup ? { logGroup: props.logGroup } : {}),
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      ...powertoolsEnvironment(scope),
      ...props.environment,
    },
    bundling: {
      minify: true,
      // Error class names are the contract with Retry/Catch (`FatalStepError`): minify must keep them.
      keepNames: true,
      sourceMap: true,
      target: 'node22',
      format: OutputFormat.ESM,
      mainFields: ['module', 'main'],
      // ESM bundles still meet CommonJS dependencies that call require().
      banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
      forceDockerBundling: false,
    },
    depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
    projectRoot: REPO_ROOT,
  });
  (fn.node.defaultChild as lambda.CfnFunction).addMetadata(
    ENTRY_METADATA_KEY,
    relative(REPO_ROOT, resolve(REPO_ROOT, props.entry)),
  );
  return fn;
};

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
