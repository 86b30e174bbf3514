import { loadSettings } from './settings';
import type { Definition, HistoryPage, ItemPage, Progress, Task, Workflow, WorkflowPage } from './types';

/*
 * The API as the console calls it: fetch with the settings' base URL and key. GETs are conditional:
 * each URL's last ETag is sent as If-None-Match, and a 304 answers the data already held, so a poll
 * of something unchanged costs the API no body and the page no re-render.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Cached {
  readonly etag: string;
  readonly data: unknown;
}
const cache = new Map<string, Cached>();

const urlOf = (path: string): string => `${loadSettings().url}${path}`;

const headers = (extra: Record<string, string> = {}): Record<string, string> => {
  const { apiKey } = loadSettings();
  return { accept: 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}), ...extra };
};

const failure = async (response: Response): Promise<ApiError> => {
  const body = (await response.json().catch(() => ({}))) as {
    error?: string;
    message?: string;
    details?: unknown[];
  };
  return new ApiError(
    response.status,
    body.error ?? response.statusText,
    body.message ?? `HTTP ${response.status}`,
    Array.isArray(body.details) ? body.details : [],
  );
};

/** A GET, conditional on the last answer's ETag: `changed` is false when the API said 304. */
export const get = async <T>(path: string): Promise<{ data: T; changed: boolean }> => {
  const url = urlOf(path);
  const held = cache.get(url);
  // no-store: the browser's HTTP cache must not answer in place of the conditional request.
  const response = await fetch(url, {
    cache: 'no-store',
    headers: headers(held ? { 'if-none-match': held.etag } : {}),
  });
  if (response.status === 304 && held) return { data: held.data as T, changed: false };
  if (!response.ok) throw await failure(response);
  const data = (await response.json()) as T;
  const etag = response.headers.get('etag');
  if (etag) cache.set(url, { etag, data });
  return { data, changed: true };
};

export const post = async <T>(path: string, body: unknown = {}): Promise<T> => {
  const response = await fetch(urlOf(path), {
    method: 'POST',
    cache: 'no-store',
    headers: headers({ 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
};

const id = encodeURIComponent;

export const api = {
  list: (query: URLSearchParams) => get<WorkflowPage>(`/workflows?${query}`),
  workflow: (workflowId: string) => get<Workflow>(`/workflows/${id(workflowId)}`),
  progress: (workflowId: string) => get<Progress>(`/workflows/${id(workflowId)}/progress`),
  tasks: (workflowId: string) => get<{ items: Task[] }>(`/workflows/${id(workflowId)}/tasks`),
  failedItems: (workflowId: string, step: string) =>
    get<ItemPage>(`/workflows/${id(workflowId)}/tasks/${id(step)}/items?status=failed&limit=100`),
  /** A page of a run's history (the current run when `run` is undefined). */
  history: (workflowId: string, run?: number, cursor?: string) =>
    get<HistoryPage>(
      `/workflows/${id(workflowId)}/history?limit=100${run !== undefined ? `&run=${run}` : ''}${cursor ? `&cursor=${id(cursor)}` : ''}`,
    ),
  definitions: () => get<{ items: Definition[] }>('/definitions'),
  action: (workflowId: string, verb: 'start' | 'pause' | 'resume' | 'cancel') =>
    post<Workflow>(`/workflows/${id(workflowId)}/${verb}`),
  recover: (workflowId: string, body: { fromStep?: string; skip?: string[]; reason?: string }) =>
    post<Workflow>(`/workflows/${id(workflowId)}/recover`, body),
};
