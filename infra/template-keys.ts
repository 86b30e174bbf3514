/*
 * Names the CDK app writes into the template and the local stack reads back: here, with no CDK
 * import, so that the local stack can start from a cached template without loading aws-cdk-lib.
 */

/** CloudFormation metadata key naming a function's source module: the local stack runs that module. */
export const ENTRY_METADATA_KEY = 'job-orchestrator:entry';

/** Stack output that maps definitions to state machines; the local stack and deploy scripts read it. */
export const STATE_MACHINES_OUTPUT = 'StateMachines';
/** The stack output holding STATE_MACHINE_VERSIONS (definition → version → version ARN). */
export const STATE_MACHINE_VERSIONS_OUTPUT = 'StateMachineVersions';
