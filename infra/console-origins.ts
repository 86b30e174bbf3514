import type { Construct } from 'constructs';

/*
 * The origins of web consoles allowed to call the API from a browser (CORS): CDK context
 * `consoleOrigins`, e.g. `-c consoleOrigins=http://127.0.0.1:3000,https://console.example.com`.
 * None by default: the local console is served beside the local API (same origin), and
 * `job-orchestrator console` calls the API from Node, not from the browser.
 */

/** An origin: scheme, host and optional port, no path (what a browser sends in `Origin`). */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/** The origins of `explicit`, else of the context; an error names every one that is not an origin. */
export const consoleOriginsOf = (scope: Construct, explicit?: readonly string[]): string[] => {
  const value: unknown = explicit ?? scope.node.tryGetContext('consoleOrigins') ?? [];
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  const origins = list.map((origin) => String(origin).trim()).filter((origin) => origin !== '');
  const bad = origins.filter((origin) => !ORIGIN.test(origin));
  if (bad.length > 0)
    throw new Error(
      `context "consoleOrigins" must be origins like https://console.example.com (scheme, host, optional port, no path); not: ${bad.join(', ')}`,
    );
  return [...new Set(origins)];
};
