import type { App } from 'aws-cdk-lib';
import type { WorkflowDefinition } from '../state-machines/dsl.js';
import { JobOrchestratorStack } from './stack.js';

export const stageOf = (app: App): string => {
  const stage = app.node.tryGetContext('stage') ?? 'dev';
  if (typeof stage !== 'string' || !/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
    throw new Error(
      `context "stage" must be lower-case letters, digits and dashes (got ${JSON.stringify(stage)})`,
    );
  }
  return stage;
};

export const stackName = (stage: string): string => `JobOrchestrator-${stage}`;

/** Adds the whole application to an App: used by `cdk` (infra/app.ts), the local stack and tests. */
export const buildApp = (
  app: App,
  options: { definitions?: readonly WorkflowDefinition[] } = {},
): JobOrchestratorStack => {
  const stage = stageOf(app);
  return new JobOrchestratorStack(app, stackName(stage), {
    stage,
    ...(options.definitions ? { definitions: options.definitions } : {}),
  });
};
