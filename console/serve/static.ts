import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Serves the built console (console/dist) under /console, and sends `/` there: used by the local
 * stack's API server (infra/local/api-gateway.ts) and by `job-orchestrator console` (cli/console.ts).
 * The page loads only its own files; the API it calls is this origin unless its settings say otherwise.
 */

export const CONSOLE_PATH = '/console/';

/**
 * console/dist of the repository this module runs from: found upwards from the module, since the
 * CLI runs it bundled into cli/dist/ and the local stack from its source.
 */
export const consoleDist = (from: string = import.meta.url): string => {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'console', 'index.html'))) return join(dir, 'console', 'dist');
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('job-orchestrator: cannot find the console/ folder of this repository');
    dir = parent;
  }
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Nothing from elsewhere: scripts, styles and images from this origin only. API calls may go to this
 * origin or to a deployed API (https), or another local server.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' https: http://127.0.0.1:* http://localhost:*; img-src 'self' data:; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** True for the paths this module answers: `/`, `/console` and everything under it. */
export const isConsolePath = (path: string): boolean =>
  path === '/' || path === '/console' || path.startsWith(CONSOLE_PATH);

/** In the API's error shape: the console's paths share a server with the API's. */
const notFound = (response: ServerResponse, message: string): void => {
  response.writeHead(404, { 'content-type': 'application/json', ...SECURITY_HEADERS });
  response.end(JSON.stringify({ error: 'NotFound', message }));
};

/** The file a path under /console/ names, or undefined for a malformed percent-encoding. */
const relativeOf = (path: string): string | undefined => {
  if (path === CONSOLE_PATH) return 'index.html';
  try {
    return decodeURIComponent(path.slice(CONSOLE_PATH.length));
  } catch {
    return undefined;
  }
};

/**
 * Answers a GET or HEAD of a console path (see isConsolePath): the index at /console/, its hashed
 * assets (cached for good: their names change with their content), and redirects from `/` and
 * `/console`. Returns false for any other request, which the caller serves.
 */
export const serveConsole = (request: IncomingMessage, response: ServerResponse, dist: string): boolean => {
  // The raw target, not `new URL`: a target like `//x` would be read as a host.
  const path = (request.url ?? '/').split('?')[0] as string;
  if (!isConsolePath(path) || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  if (path === '/' || path === '/console') {
    response.writeHead(302, { location: CONSOLE_PATH, 'content-length': '0' });
    response.end();
    return true;
  }
  const relative = relativeOf(path);
  const file = relative === undefined ? '' : normalize(join(dist, relative));
  if (!file.startsWith(dist + sep) || !existsSync(file) || !statSync(file).isFile()) {
    notFound(
      response,
      existsSync(join(dist, 'index.html'))
        ? 'Not found'
        : 'The console is not built: run `npm run build:console` (npm ci and npm start build it).',
    );
    return true;
  }
  const immutable = relative?.startsWith('assets/') === true;
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(statSync(file).size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
  return true;
};
