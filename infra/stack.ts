import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WorkflowTables } from './workflow-tables.js';

export interface JobOrchestratorStackProps extends StackProps {
  /** Deployment stage; names every resource. `dev` tables are destroyed with the stack. */
  readonly stage: string;
}

export class JobOrchestratorStack extends Stack {
  readonly tables: WorkflowTables;

  constructor(scope: Construct, id: string, props: JobOrchestratorStackProps) {
    super(scope, id, props);
    this.tables = new WorkflowTables(this, 'Tables', {
      namePrefix: `job-orchestrator-${props.stage}-`,
      removalPolicy: props.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}
