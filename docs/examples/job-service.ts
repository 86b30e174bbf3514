import { type ControlApi, createApiClient, unwrap } from '../../cli/client.js';

/** One client per service: SigV4-signed for the default IAM auth (`{ kind: 'apiKey', key }` for apiKey stacks). */
export const orchestrator = (url: string): ControlApi => createApiClient({ url, auth: { kind: 'iam' } });

/**
 * Creates and starts the dataset-build workflow of a job, once however often it is retried (the
 * Idempotency-Key), and answers its progress. Paths, parameters, bodies and answers are typed by
 * docs/openapi.json: a misspelt field or status does not compile.
 */
export const buildDataset = async (api: ControlApi, jobId: string) => {
  const workflow = await unwrap(
    api.POST('/workflows', {
      params: { header: { 'Idempotency-Key': `build-${jobId}` } },
      body: { jobId, definition: 'dataset-build', metadata: { dataset: { items: 200 } }, start: true },
    }),
  );
  return unwrap(api.GET('/workflows/{id}/progress', { params: { path: { id: workflow.workflowId } } }));
};
