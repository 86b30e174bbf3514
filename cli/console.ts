import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { consoleDist, serveConsole } from '../console/serve/static.js';
import { type ApiAuth, authorize } from './client.js';

/*
 * `job-orchestrator console`: the web console for a deployed API, served on 127.0.0.1. The page
 * calls this server (its own origin), which forwards each call to the API with the user's
 * credentials: signed with SigV4 by the default credential chain (--iam), or with the API key, so
 * that no AWS credential or key ever reaches the browser (README, "Web console").
 */

/** Request headers the console sends that the API reads. */
const FORWARDED_REQUEST = ['accept', 'content-type', 'if-none-match', 'idempotency-key', 'x-correlation-id'];
/** Answer headers the console reads. */
const FORWARDED_ANSWER = ['content-type', 'etag', 'cache-control', 'x-correlation-id', 'retry-after'];
const MAX_BODY_BYTES = 1024 * 1024;

export interface ConsoleServerOptions {
  /** The API's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/dev`. */
  readonly url: string;
  readonly auth: ApiAuth;
  /** 0 picks a free port. @default 8300 */
  readonly port?: number;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export interface ConsoleServer {
  /** Where the console is: `http://127.0.0.1:<port>/console/`. */
  readonly consoleUrl: string;
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length > 0 ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });

const answerError = (response: ServerResponse, status: number, error: string, message: string) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error, message }));
};

/**
 * Only this page may use the credentials: a request must name this server as its Host (no DNS
 * rebinding) and, when a browser says where it comes from, come from this origin (no other site's
 * page can have its calls signed).
 */
const fromThisPage = (request: IncomingMessage, port: number): boolean => {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = request.headers.host ?? '';
  if (!hosts.includes(host)) return false;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return false;
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
};

export const startConsoleServer = async (options: ConsoleServerOptions): Promise<ConsoleServer> => {
  const dist = consoleDist();
  const base = options.url.replace(/\/+$/, '');
  const send = options.fetch ?? ((request: Request) => fetch(request));
  let port = 0;

  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    if (!fromThisPage(request, port))
      return answerError(
        response,
        403,
        'Forbidden',
        'Only the console served here may call the API through it',
      );
    if (request.method !== 'GET' && request.method !== 'POST')
      return answerError(response, 405, 'MethodNotAllowed', 'GET and POST only');
    const body = request.method === 'POST' ? await readBody(request) : undefined;
    const headers = new Headers();
    for (const name of FORWARDED_REQUEST) {
      const value = request.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const outgoing = await authorize(
      new Request(`${base}${request.url ?? '/'}`, {
        method: request.method,
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
      }),
      options.auth,
    );
    let answer: Response;
    try {
      answer = await send(outgoing);
    } catch (error) {
      return answerError(response, 502, 'BadGateway', `cannot reach ${base}: ${(error as Error).message}`);
    }
    const kept: Record<string, string> = {};
    for (const name of FORWARDED_ANSWER) {
      const value = answer.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    response.writeHead(answer.status, kept);
    response.end(Buffer.from(await answer.arrayBuffer()));
  };

  const server = createServer((request, response) => {
    if (serveConsole(request, response, dist)) return;
    forward(request, response).catch((error: Error) => {
      if (!response.headersSent) answerError(response, 500, 'ConsoleProxyError', error.message);
      else response.destroy(error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the credentials it signs with are the user's.
    server.listen(options.port ?? 8300, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    consoleUrl: `http://127.0.0.1:${port}/console/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** The `console` command: serves until Ctrl-C. */
export const addConsoleCommand = (
  program: Command,
  connection: () => { url: string; auth: ApiAuth },
  out: (text: string) => void,
): void => {
  program
    .command('console')
    .description(
      'Serve the web console on 127.0.0.1 for the API of --url, its calls signed (--iam) or keyed (--api-key) here',
    )
    .option('--port <port>', 'port to serve on (0: any free one)', (value) => Number(value), 8300)
    .action(async (opts: { port: number }) => {
      const { url, auth } = connection();
      const server = await startConsoleServer({ url, auth, port: opts.port });
      out(`Web console for ${url}: ${server.consoleUrl}  (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
};
