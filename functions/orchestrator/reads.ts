import type { SFNClient } from '@aws-sdk/client-sfn';
import type { z } from 'zod/mini';
import type { WorkflowDefinition } from '../contract/definition.js';
import type { DefinitionVersions, VersionArns } from '../contract/definition-versions.js';
import type { ItemOutcome } from '../contract/fan-out.js';
import { workflowDefinitions } from '../definitions/catalog.js';
import { type ParameterJsonSchemas, parameterJsonSchemaOf } from '../definitions/parameter-schemas.js';
import { definitionVersions } from '../definitions/versions.js';
import { InvalidCursorError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { parametersByDefinition } from '../parameters/workflow-parameters.js';
import { type Page, type PageInput, pageLimit } from '../repositories/cursor.js';
import type { Repositories } from '../repositories/from-env.js';
import { ItemLedger } from '../repositories/item-ledger.js';
import type { WorkflowStoreContext } from '../repositories/workflow-store.js';
import { itemResultsIn } from '../results/item-results.js';
import { resultStoreFromEnv } from '../results/result-store.js';
import { type HistoryInput, type WorkflowHistory, workflowHistory } from './history.js';
import type { WorkflowFilter } from './run-input.js';
import type { StateMachineArns } from './state-machines-config.js';
import { DefinitionVersionMap } from './versions.js';
import { progressView } from './views.js';

export interface OrchestratorDeps {
  readonly repos: Repositories;
  readonly store: WorkflowStoreContext;
  readonly sfn: SFNClient;
  readonly stateMachines: StateMachineArns;
  /** Definition → version → Step Functions version ARN (STATE_MACHINE_VERSIONS); unset: runs start on `stateMachines`. */
  readonly versionArns?: VersionArns;
  /** @default every recorded version (functions/definitions/versions.json) */
  readonly definitionVersions?: DefinitionVersions;
  /** @default every shipped definition (state-machines/registry.ts) */
  readonly definitions?: readonly WorkflowDefinition[];
  readonly now?: () => Date;
  /** Progress links executions to the Step Functions console. @default true */
  readonly consoleLinks?: boolean;
  /** `metadata.faults` is accepted (the local stack, test stages). @default false */
  readonly faultInjection?: boolean;
  /** The "delayed start" state machine (Wait, then startRecoveryRun): needed by `recover` with a delay. */
  readonly delayedStart?: string;
  /** Where fan-out steps' item outcomes are read. @default an ItemLedger on `store` (the task table) */
  readonly ledger?: ItemLedger;
  /** The parameter schemas definitions name by id. @default functions/parameters/registry.ts */
  readonly parameterSchemas?: readonly z.core.$ZodObject[];
  /** Their JSON Schema, by definition name. @default functions/definitions/parameter-schemas.json */
  readonly parameterJsonSchemas?: ParameterJsonSchemas;
}

/** One item's outcome, with its index in the step's item list. */
export type IndexedOutcome = { index: number } & ItemOutcome;

/** Which page of a fan-out step's items: optionally only one outcome. */
export interface ItemPageInput extends PageInput {
  readonly status?: 'succeeded' | 'failed';
}

/**
 * The orchestrator's read side: workflows, their tasks, progress and the definitions served. The
 * lifecycle (functions/orchestrator/service.ts) extends it.
 */
export class OrchestratorReads {
  protected readonly now: () => Date;
  /** The definitions served here, by name: looked up in one place. */
  protected readonly served: ReadonlyMap<string, WorkflowDefinition>;
  /** Each served definition's parameters (with the orchestrator's own keys), by definition name. */
  protected readonly parameters: ReadonlyMap<string, z.core.$ZodObject>;
  /** Which version of its definition a workflow runs, and on which state machine version. */
  protected readonly versions: DefinitionVersionMap;
  private ledger: ItemLedger | undefined;

  constructor(protected readonly deps: OrchestratorDeps) {
    this.now = deps.now ?? (() => new Date());
    this.served = new Map((deps.definitions ?? workflowDefinitions).map((d) => [d.name, d]));
    this.parameters = parametersByDefinition([...this.served.values()], {
      faultInjection: deps.faultInjection === true,
      ...(deps.parameterSchemas ? { schemas: deps.parameterSchemas } : {}),
    });
    this.ledger = deps.ledger;
    this.versions = new DefinitionVersionMap(
      deps.definitionVersions ?? definitionVersions,
      this.served,
      deps.versionArns,
    );
  }

  /**
   * The parameters of this definition as JSON Schema, as GET /definitions shows them: generated at
   * build time (functions/definitions/parameter-schemas.ts); undefined when it declares none.
   */
  parametersJsonSchemaOf(definitionName: string): Readonly<Record<string, unknown>> | undefined {
    if (!this.parameters.has(definitionName)) return undefined;
    const faultInjection = this.deps.faultInjection === true;
    const schema = this.deps.parameterJsonSchemas
      ? parameterJsonSchemaOf(definitionName, faultInjection, this.deps.parameterJsonSchemas)
      : parameterJsonSchemaOf(definitionName, faultInjection);
    if (!schema)
      throw new Error(
        `functions/definitions/parameter-schemas.json has no JSON Schema of the parameters of "${definitionName}": run npm run definitions`,
      );
    return schema;
  }

  /** The parameters a create of this definition takes: undefined when it declares none (any metadata). */
  parametersOf(definitionName: string): z.core.$ZodObject | undefined {
    return this.parameters.get(definitionName);
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

  /**
   * Every version of the shipped definitions this stack runs (oldest first, the current one last),
   * each with the state machine (version) that runs it here, if deployed.
   */
  definitions(): { definition: WorkflowDefinition; current: boolean; stateMachineArn?: string }[] {
    return [...this.served.values()].flatMap((served) =>
      this.versions.versionsOf(served).map((definition) => {
        const current = definition === served;
        const stateMachineArn =
          this.versions.arnOf(definition.name, definition.version) ??
          this.deps.stateMachines[definition.name];
        return stateMachineArn ? { definition, current, stateMachineArn } : { definition, current };
      }),
    );
  }

  async tasks(workflowId: string): Promise<TaskRecord[]> {
    await this.get(workflowId);
    return this.deps.repos.tasks.getByWorkflow(workflowId);
  }

  /**
   * A page of a fan-out step's item outcomes, in index order (docs/behaviour.md, "Fan-out"): Query
   * only, on the ledger its task points at now. A step the workflow's definition does not have is a
   * 404, one without `forEach` a 400; a fan-out step that has not listed its items yet has none.
   */
  async items(workflowId: string, stepName: string, page: ItemPageInput = {}): Promise<Page<IndexedOutcome>> {
    const workflow = await this.get(workflowId);
    const definition = this.versions.definitionOf(workflow.definitionName, workflow.definitionVersion);
    if (!definition) throw new NotFoundError('Definition', workflow.definitionName);
    const step = definition.steps.find((s) => s.name === stepName);
    if (!step) throw new NotFoundError('Task', `step "${stepName}" of workflow ${workflowId}`);
    if (!step.forEach) {
      const message = `step "${stepName}" is not a fan-out step (its definition has no forEach): it has no items`;
      throw new ValidationError(message, [{ path: 'path.step', rule: 'fan-out-step', message }]);
    }
    const limit = pageLimit(page.limit);
    const task = await this.deps.repos.tasks.get(workflowId, step.index);
    if (!task?.itemsLedger) {
      // No ledger yet: no page was ever handed out, so no cursor can continue one.
      if (page.cursor !== undefined) throw new InvalidCursorError();
      return { items: [] };
    }
    this.ledger ??= new ItemLedger({
      doc: this.deps.store.doc,
      tableName: this.deps.store.tasks,
      results: itemResultsIn(resultStoreFromEnv),
      ...(this.deps.now ? { now: this.deps.now } : {}),
    });
    const { items, cursor } = await this.ledger.page(task.itemsLedger, {
      limit,
      ...(page.status ? { status: page.status } : {}),
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    });
    return cursor ? { items, nextCursor: cursor } : { items };
  }

  /**
   * A page of the Step Functions execution history of one run of the workflow (history.ts): read
   * from Step Functions, never copied; a workflow never started has none.
   */
  async history(workflowId: string, input: HistoryInput = {}): Promise<WorkflowHistory> {
    return workflowHistory(this.deps.sfn, await this.get(workflowId), input);
  }

  async progress(workflowId: string) {
    const workflow = await this.get(workflowId);
    const tasks = await this.deps.repos.tasks.getByWorkflow(workflowId);
    return progressView(workflow, tasks, this.now(), this.deps.consoleLinks ?? true);
  }
}
