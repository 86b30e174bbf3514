import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A minimal JSON client for the control API, as a user's script would be. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: responses are checked by the assertions that read them.
type Json = any;

/** Socket errors of a kept-alive connection the server closed as the request went out. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const connectionLost = (error: unknown): boolean => {
  const cause = (error as { cause?: { code?: string } }).cause;
  return error instanceof TypeError && CONNECTION_LOST.has(cause?.code ?? '');
};

/**
 * One request on a connection of its own, closed after the answer: a POST is never sent on a kept-
 * alive socket that the server is closing at that moment (Node's 5 s idle timeout), which would lose
 * it or, retried, send it twice.
 */
const sendAlone = (url: URL, method: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const request = send(url, { method, headers: { ...headers, ...length }, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });

/**
 * A GET, on a kept-alive connection; sent again (it changes nothing) if that connection was lost,
 * or after Retry-After when the API answered 503 (AWS busy after the SDK's retries), as a client would.
 */
const getKeptAlive = async (url: URL, headers: Record<string, string>) => {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { headers });
      const text = await response.text();
      const retryAfter = response.headers.get('retry-after');
      if (response.status !== 503 || attempt >= 5 || retryAfter === null)
        return { status: response.status, text };
      await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
    } catch (error) {
      if (attempt >= 3 || !connectionLost(error)) throw error;
    }
  }
};

export const apiClient = (baseUrl: string) => {
  /** Workflows created through this client since `takeCreated` last ran: checked after each test. */
  let created: string[] = [];
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const url = new URL(`${baseUrl}${path}`);
    const { status, text } =
      method === 'GET'
        ? await getKeptAlive(url, headers)
        : await sendAlone(
            url,
            method,
            body === undefined ? headers : { 'content-type': 'application/json', ...headers },
            body === undefined ? undefined : JSON.stringify(body),
          );
    const answer = { status, body: (text ? JSON.parse(text) : {}) as Json } satisfies ApiResponse<Json>;
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
