import type { Orchestrator } from '../orchestrator/service.js';
import { taskView, workflowView } from '../orchestrator/views.js';
import type { OperationId, OperationInput, OperationOutput } from './routes.js';

export interface OperationContext {
  readonly orchestrator: Orchestrator;
  /** The request's correlation id: kept on a new workflow and passed to the runs it starts. */
  readonly correlationId?: string;
}

type Operations = {
  readonly [Id in OperationId]: (
    input: OperationInput<Id>,
    context: OperationContext,
  ) => Promise<OperationOutput<Id>> | OperationOutput<Id>;
};

const pageOf = <T, V>(page: { items: T[]; nextCursor?: string }, view: (item: T) => V) => ({
  items: page.items.map(view),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

/** Each route's work: thin calls into the orchestrator service, which owns every rule. */
export const operations: Operations = {
  createWorkflow: async ({ body }, { orchestrator, correlationId }) =>
    workflowView(await orchestrator.create({ ...body, ...(correlationId ? { correlationId } : {}) })),

  listWorkflows: async ({ query }, { orchestrator }) => {
    const { limit, cursor, ...filter } = query;
    return pageOf(await orchestrator.list(filter, { limit, cursor }), workflowView);
  },

  getWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.get(params.id)),

  getWorkflowProgress: ({ params }, { orchestrator }) => orchestrator.progress(params.id),

  getWorkflowTasks: async ({ params }, { orchestrator }) => ({
    items: (await orchestrator.tasks(params.id)).map(taskView),
  }),

  startWorkflow: async ({ params }, { orchestrator, correlationId }) =>
    workflowView(await orchestrator.start(params.id, { correlationId })),
  pauseWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.pause(params.id)),
  resumeWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.resume(params.id)),
  cancelWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.cancel(params.id)),
  recoverWorkflow: async ({ params, body }, { orchestrator, correlationId }) =>
    workflowView(await orchestrator.recover(params.id, { ...body, correlationId })),

  listJobWorkflows: async ({ params, query }, { orchestrator }) =>
    pageOf(await orchestrator.listByJob(params.jobId, query), workflowView),

  getJobWorkflow: async ({ params }, { orchestrator }) =>
    workflowView(await orchestrator.getByJob(params.jobId)),

  listDefinitions: (_input, { orchestrator }) => ({
    items: orchestrator.definitions().map(({ definition, stateMachineArn }) => ({
      name: definition.name,
      version: definition.version,
      description: definition.description,
      maxRecoveryAttempts: definition.maxRecoveryAttempts,
      stateMachineArn: stateMachineArn ?? null,
      steps: definition.steps.map((step) => ({
        index: step.index,
        name: step.name,
        taskType: step.taskType,
        maxRetries: step.maxRetries,
        dependencies: [...step.dependencies],
        timeout: step.timeout,
        estimatedDuration: step.estimatedDuration,
      })),
    })),
  }),
};
