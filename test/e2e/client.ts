/** A minimal JSON client for the control API, as a user's script would be. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: responses are checked by the assertions that read them.
type Json = any;

export const apiClient = (baseUrl: string) => {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : {}) as Json,
    } satisfies ApiResponse<Json>;
  };
  const api = {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    /** Polls the progress view until `until` holds (default: a terminal status). */
    async waitFor(
      workflowId: string,
      until: (progress: Json) => boolean = (p) => ['completed', 'failed', 'cancelled'].includes(p.status),
      timeoutMs = 60_000,
    ): Promise<Json> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, body } = await api.get(`/workflows/${workflowId}/progress`);
        if (status !== 200)
          throw new Error(`progress of ${workflowId}: HTTP ${status} ${JSON.stringify(body)}`);
        if (until(body)) return body;
        if (Date.now() > deadline)
          throw new Error(`workflow ${workflowId} still ${body.status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async tasks(workflowId: string): Promise<Record<string, Json>> {
      const { body } = await api.get(`/workflows/${workflowId}/tasks`);
      return Object.fromEntries((body.items as Json[]).map((task) => [task.taskName, task]));
    },
  };
  return api;
};
export type ApiClient = ReturnType<typeof apiClient>;
