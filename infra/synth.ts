import { App } from 'aws-cdk-lib';
import type { WorkflowDefinition } from '../state-machines/dsl.js';
import { buildApp } from './build-app.js';

/** A CloudFormation template as synthesized. */
export interface CfnTemplate {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly [key: string]: unknown;
}

export interface SynthOptions {
  /** @default 'dev' */
  readonly stage?: string;
  /** Bundle the Lambda code with esbuild. Off when only the template is wanted. @default false */
  readonly bundle?: boolean;
  /** Where the cloud assembly goes. @default a temporary folder */
  readonly outdir?: string;
  /** Honour `metadata.faults` (CDK context `faultInjection`). @default true: this synth is for local use */
  readonly faultInjection?: boolean;
  /** @default every shipped definition */
  readonly definitions?: readonly WorkflowDefinition[];
}

/** Synthesizes the app in-process and returns the stack's template: the source of every local resource. */
export const synthTemplate = (options: SynthOptions = {}): CfnTemplate => {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      stage: options.stage ?? 'dev',
      // The local stack and the tests inject faults; a deployment does only with -c faultInjection=true.
      faultInjection: options.faultInjection ?? true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = buildApp(app, options.definitions ? { definitions: options.definitions } : {});
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
};
