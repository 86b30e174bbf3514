import { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/build-app.js';
import type { CfnTemplate } from '../../infra/synth.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';

/** One stage for every bench app: handlers cache their table names per process, so all must agree. */
export const BENCH_STAGE = 'bench';

/**
 * infra/synth.ts's synthTemplate, plus CDK's 500-resource check turned off: the schedule bench puts
 * hundreds of sampled steps (one Lambda each) in one template that only ever runs locally.
 */
export const synthBenchTemplate = (
  definitions: readonly WorkflowDefinition[],
  options: { indexMigration?: number } = {},
): CfnTemplate => {
  const app = new App({
    context: {
      // A step of the index migration (docs/dynamodb.md): 0 is the first index layout.
      ...(options.indexMigration === undefined ? {} : { indexMigration: options.indexMigration }),
      stage: BENCH_STAGE,
      // The functions' own log level (infra/lambda.ts reads it): logging every step costs time.
      logLevel: 'ERROR',
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:stackResourceLimit': 0,
    },
  });
  const stack = buildApp(app, { definitions });
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
};
