import { RemovalPolicy } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowDefinition } from '../functions/contract/definition.js';
import { versionHash } from '../state-machines/versions.js';

/** Metadata key naming the definition version a StateMachineVersion resource publishes (the local stack reads it). */
export const DEFINITION_VERSION_METADATA = 'job-orchestrator:definitionVersion';
/** The alias every definition's state machine has, routed to its current version. */
export const CURRENT_ALIAS = 'current';

export interface WorkflowVersionsProps {
  readonly stateMachine: sfn.StateMachine;
  /** Every recorded version of the definition, the current one last (state-machines/versions.ts). */
  readonly versions: readonly WorkflowDefinition[];
}

/**
 * One Step Functions version per recorded definition version, and the alias `current` on the
 * newest (README, "Versions"). A version resource's properties never change (no revision id): a
 * deploy leaves the versions it already published as they are, and creates the resource of a new
 * definition version only after the state machine took its definition, so that is what it
 * publishes. Retained: a version a later lock no longer lists keeps running its workflows.
 */
export class WorkflowVersions extends Construct {
  /** Definition version → the ARN of its Step Functions version. */
  readonly arns: Readonly<Record<string, string>>;
  readonly alias: sfn.CfnStateMachineAlias;

  constructor(scope: Construct, id: string, props: WorkflowVersionsProps) {
    super(scope, id);
    const arns: Record<string, string> = {};
    let current: sfn.CfnStateMachineVersion | undefined;
    for (const definition of props.versions) {
      current = new sfn.CfnStateMachineVersion(this, `Version ${definition.version}`, {
        stateMachineArn: props.stateMachine.stateMachineArn,
        description: `${definition.name} v${definition.version} (${versionHash(definition)})`.slice(0, 256),
      });
      current.addMetadata(DEFINITION_VERSION_METADATA, definition.version);
      current.applyRemovalPolicy(RemovalPolicy.RETAIN);
      arns[definition.version] = current.ref;
    }
    if (!current) throw new Error('a workflow state machine needs at least one version');
    this.arns = arns;
    this.alias = new sfn.CfnStateMachineAlias(this, 'Alias', {
      name: CURRENT_ALIAS,
      description: 'The newest version of this definition: the one a create uses by default',
      routingConfiguration: [{ stateMachineVersionArn: current.ref, weight: 100 }],
    });
  }
}
