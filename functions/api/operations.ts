import type { Orchestrator } from '../orchestrator/service.js';
import { definitionView, pageView, taskView, workflowView } from '../orchestrator/views.js';
import { type ResultStore, resultStoreFromEnv } from '../results/result-store.js';
import { withStoredResults } from '../results/task-results.js';
import type { OperationId, OperationInput, OperationOutput } from './routes.js';

export interface OperationContext {
  readonly orchestrator: Orchestrator;
  /** Where step results over 1 KB are read from. @default the handler's configuration */
  readonly results?: () => ResultStore;
  /** The request's correlation id: kept on a new workflow and passed to the runs it starts. */
  readonly correlationId?: string;
}

type Operations = {
  readonly [Id in OperationId]: (
    input: OperationInput<Id>,
    context: OperationContext,
  ) => Promise<OperationOutput<Id>> | OperationOutput<Id>;
};

/** Each route's work: thin calls into the orchestrator service, which owns every rule. */
export const operations: Operations = {
  createWorkflow: async ({ body }, { orchestrator, correlationId }) =>
    workflowView(await orchestrator.create({ ...body, ...(correlationId ? { correlationId } : {}) })),

  listWorkflows: async ({ query }, { orchestrator }) => {
    const { limit, cursor, ...filter } = query;
    return pageView(await orchestrator.list(filter, { limit, cursor }), workflowView);
  },

  getWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.get(params.id)),

  getWorkflowProgress: ({ params }, { orchestrator }) => orchestrator.progress(params.id),

  getWorkflowTasks: async ({ params }, { orchestrator, results = resultStoreFromEnv }) => ({
    items: (await withStoredResults(await orchestrator.tasks(params.id), results)).map(taskView),
  }),

  listTaskItems: async ({ params, query }, { orchestrator }) =>
    pageView(await orchestrator.items(params.id, params.step, query), (item) => item),

  getWorkflowHistory: ({ params, query }, { orchestrator }) => orchestrator.history(params.id, query),

  startWorkflow: async ({ params }, { orchestrator, correlationId }) =>
    workflowView(await orchestrator.start(params.id, { correlationId })),
  pauseWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.pause(params.id)),
  resumeWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.resume(params.id)),
  cancelWorkflow: async ({ params }, { orchestrator }) => workflowView(await orchestrator.cancel(params.id)),
  recoverWorkflow: async ({ params, body }, { orchestrator, correlationId }) => {
    const recovery = await orchestrator.recover(params.id, { ...body, correlationId });
    return { ...workflowView(recovery), rerun: [...recovery.rerun] };
  },

  listJobWorkflows: async ({ params, query }, { orchestrator }) =>
    pageView(await orchestrator.listByJob(params.jobId, query), workflowView),

  getJobWorkflow: async ({ params }, { orchestrator }) =>
    workflowView(await orchestrator.getByJob(params.jobId)),

  listDefinitions: (_input, { orchestrator }) => ({
    items: orchestrator
      .definitions()
      .map(({ definition, current, stateMachineArn }) =>
        definitionView(
          definition,
          current,
          stateMachineArn,
          orchestrator.parametersJsonSchemaOf(definition.name),
        ),
      ),
  }),
};
