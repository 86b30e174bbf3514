/** A minimal JSON client for the control API, as a user's script would be. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: responses are checked by the assertions that read them.
type Json = any;

export const apiClient = (baseUrl: string) => {
  /** Workflows created through this client since `takeCreated` last ran: checked after each test. */
  let created: string[] = [];
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      body: (text ? JSON.parse(text) : {}) as Json,
    } satisfies ApiResponse<Json>;
    if (
      method === 'POST' &&
      path === '/workflows' &&
      (answer.status === 200 || answer.status === 201) &&
      typeof answer.body.workflowId === 'string' &&
      !created.includes(answer.body.workflowId)
    )
      created.push(answer.body.workflowId);
    return answer;
  };
  const api = {
    baseUrl,
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    /** Polls the progress view until `until` holds (default: a terminal status). */
    async waitFor(
      workflowId: string,
      until: (progress: Json) => boolean = (p) => ['completed', 'failed', 'cancelled'].includes(p.status),
      timeoutMs = 60_000,
      intervalMs = 100,
    ): Promise<Json> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, body } = await api.get(`/workflows/${workflowId}/progress`);
        if (status !== 200)
          throw new Error(`progress of ${workflowId}: HTTP ${status} ${JSON.stringify(body)}`);
        if (until(body)) return body;
        if (Date.now() > deadline)
          throw new Error(`workflow ${workflowId} still ${body.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    /** The workflow record (GET /workflows/{id}). */
    async workflow(workflowId: string): Promise<Json> {
      const { status, body } = await api.get(`/workflows/${workflowId}`);
      if (status !== 200) throw new Error(`workflow ${workflowId}: HTTP ${status} ${JSON.stringify(body)}`);
      return body;
    },
    /** Its task records in step order (GET /workflows/{id}/tasks). */
    async taskList(workflowId: string): Promise<Json[]> {
      const { status, body } = await api.get(`/workflows/${workflowId}/tasks`);
      if (status !== 200) throw new Error(`tasks of ${workflowId}: HTTP ${status} ${JSON.stringify(body)}`);
      return body.items as Json[];
    },
    /** Its task records by step name. */
    async tasks(workflowId: string): Promise<Record<string, Json>> {
      return Object.fromEntries((await api.taskList(workflowId)).map((task) => [task.taskName, task]));
    },
    /** The ids of the workflows created through this client since the last call, oldest first. */
    takeCreated(): string[] {
      const ids = created;
      created = [];
      return ids;
    },
  };
  return api;
};
export type ApiClient = ReturnType<typeof apiClient>;
