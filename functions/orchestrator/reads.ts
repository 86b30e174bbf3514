import type { SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowDefinition } from '../contract/definition.js';
import { workflowDefinitions } from '../definitions/catalog.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { TaskRecord, WorkflowRecord } from '../domain/records.js';
import type { Page, PageInput } from '../repositories/cursor.js';
import type { Repositories } from '../repositories/from-env.js';
import type { WorkflowStoreContext } from '../repositories/workflow-store.js';
import type { WorkflowFilter } from './run-input.js';
import type { StateMachineArns } from './state-machines-config.js';
import { progressView } from './views.js';

export interface OrchestratorDeps {
  readonly repos: Repositories;
  readonly store: WorkflowStoreContext;
  readonly sfn: SFNClient;
  readonly stateMachines: StateMachineArns;
  /** @default every shipped definition (state-machines/registry.ts) */
  readonly definitions?: readonly WorkflowDefinition[];
  readonly now?: () => Date;
  /** Progress links executions to the Step Functions console. @default true */
  readonly consoleLinks?: boolean;
  /** `metadata.faults` is accepted (the local stack, test stages). @default false */
  readonly faultInjection?: boolean;
  /** The "delayed start" state machine (Wait, then startRecoveryRun): needed by `recover` with a delay. */
  readonly delayedStart?: string;
}

/**
 * The orchestrator's read side: workflows, their tasks, progress and the definitions served. The
 * lifecycle (functions/orchestrator/service.ts) extends it.
 */
export class OrchestratorReads {
  protected readonly now: () => Date;
  /** The definitions served here, by name: looked up in one place. */
  protected readonly served: ReadonlyMap<string, WorkflowDefinition>;

  constructor(protected readonly deps: OrchestratorDeps) {
    this.now = deps.now ?? (() => new Date());
    this.served = new Map((deps.definitions ?? workflowDefinitions).map((d) => [d.name, d]));
  }

  async get(workflowId: string): Promise<WorkflowRecord> {
    const workflow = await this.deps.repos.workflows.getById(workflowId);
    if (!workflow) throw new NotFoundError('Workflow', workflowId);
    return workflow;
  }

  /** The newest workflow of a job: "the workflow of a job" (docs/behaviour.md, "Jobs and workflows"). */
  async getByJob(jobId: string): Promise<WorkflowRecord> {
    const workflow = await this.deps.repos.workflows.getByJobId(jobId);
    if (!workflow) throw new NotFoundError('Workflow', `job ${jobId}`);
    return workflow;
  }

  /** Every workflow of a job, newest first. */
  listByJob(jobId: string, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.deps.repos.workflows.listByJob(jobId, page);
  }

  list(filter: WorkflowFilter, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    const { workflows } = this.deps.repos;
    const { view, status, jobId, createdDay } = filter;
    if (view === 'active') return workflows.listActive(page);
    if (view === 'failed') return workflows.listFailed(page);
    if (view === 'recoverable') return workflows.listRecoverable(page);
    if (status && jobId) return workflows.listByJobStatus(jobId, status, page);
    if (status) return workflows.listByStatus(status, page);
    if (jobId) return workflows.listByJob(jobId, page);
    if (createdDay) return workflows.listByCreatedDay(createdDay, page);
    const message = 'give one of view, status, jobId or createdDay';
    throw new ValidationError(message, [{ path: 'view', rule: 'filter-required', message }]);
  }

  /** The shipped definitions, each with the state machine that runs it here (if deployed). */
  definitions(): { definition: WorkflowDefinition; stateMachineArn?: string }[] {
    return [...this.served.values()].map((definition) => {
      const stateMachineArn = this.deps.stateMachines[definition.name];
      return stateMachineArn ? { definition, stateMachineArn } : { definition };
    });
  }

  async tasks(workflowId: string): Promise<TaskRecord[]> {
    await this.get(workflowId);
    return this.deps.repos.tasks.getByWorkflow(workflowId);
  }

  async progress(workflowId: string) {
    const workflow = await this.get(workflowId);
    const tasks = await this.deps.repos.tasks.getByWorkflow(workflowId);
    return progressView(workflow, tasks, this.now(), this.deps.consoleLinks ?? true);
  }
}
