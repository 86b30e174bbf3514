/*
 * Where the console sends its API calls. By default the page's own origin: the local stack serves
 * the console beside its API, and `job-orchestrator console` proxies (and signs) them. Against a
 * deployed apiKey stage, the user gives the API's URL and key once; they are kept in this browser's
 * localStorage, never sent anywhere but that API (README, "Web console").
 */

export interface ApiSettings {
  /** The API's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/dev`; '' = this origin. */
  readonly url: string;
  /** The `x-api-key` of an apiKey stage; '' = none. */
  readonly apiKey: string;
}

const KEY = 'job-orchestrator.console.api';

export const loadSettings = (): ApiSettings => {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<ApiSettings>;
    return { url: stored.url ?? '', apiKey: stored.apiKey ?? '' };
  } catch {
    return { url: '', apiKey: '' };
  }
};

export const saveSettings = (settings: ApiSettings): void => {
  localStorage.setItem(
    KEY,
    JSON.stringify({ url: settings.url.trim().replace(/\/+$/, ''), apiKey: settings.apiKey.trim() }),
  );
};

/** How often views poll, in ms: `?poll=500` overrides the default (1 s behind at most). */
export const pollInterval = (): number => {
  const asked = Number(new URLSearchParams(location.search).get('poll'));
  return Number.isFinite(asked) && asked >= 100 ? asked : 1000;
};
