import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsoleServer } from '../../cli/console.js';
import { ensureConsoleBuilt } from '../../console/build.js';

/*
 * `job-orchestrator console`: serves the console and forwards its calls to the API, signed with the
 * credential chain (--iam) or keyed (--api-key). The API here is a fake on 127.0.0.1 that records
 * what reaches it; the vitest environment's credentials (`local`) are what the chain finds.
 */

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let api: Server;
let apiUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
  await ensureConsoleBuilt();
  api = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.headers['if-none-match'] === '"v1"') {
        response.writeHead(304, { etag: '"v1"' });
        return response.end();
      }
      response.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'x-internal': 'no' });
      response.end(JSON.stringify({ items: [] }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/dev`;
});
afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

/** A GET as sent, its path not normalized and its Host as given. */
const raw = (url: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { origin, pathname, search } = new URL(url);
    const path = url.slice(origin.length) || `${pathname}${search}`;
    request(origin, { path, headers }, (answer) => {
      let body = '';
      answer.on('data', (chunk) => {
        body += chunk;
      });
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });

const withServer = async (
  auth: Parameters<typeof startConsoleServer>[0]['auth'],
  use: (server: ConsoleServer, origin: string) => Promise<void>,
) => {
  const server = await startConsoleServer({ url: apiUrl, auth, port: 0 });
  try {
    await use(server, new URL(server.consoleUrl).origin);
  } finally {
    await server.close();
  }
};

describe('job-orchestrator console', () => {
  it('serves the console, and / leads to it', async () => {
    await withServer({ kind: 'none' }, async (server, origin) => {
      const page = await fetch(server.consoleUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      // Nothing outside console/dist, and a malformed path is a 404 in the API's error shape.
      for (const path of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/%ZZ']) {
        const answer = await raw(`${origin}${path}`);
        expect(answer.status, path).toBe(404);
        expect(JSON.parse(answer.body), path).toMatchObject({ error: 'NotFound' });
      }
      const root = await fetch(`${origin}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/console/');
    });
  });

  it('signs the calls with SigV4 (--iam), under the API URL, and passes conditional GETs through', async () => {
    await withServer({ kind: 'iam', region: 'eu-west-1' }, async (_server, origin) => {
      const first = await fetch(`${origin}/workflows?view=active`, {
        headers: { 'sec-fetch-site': 'same-origin' },
      });
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('"v1"');
      expect(first.headers.get('x-internal')).toBeNull();
      const call = seen.at(-1) as Seen;
      expect(call.url).toBe('/dev/workflows?view=active');
      expect(call.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host/,
      );
      expect(call.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
      const again = await fetch(`${origin}/workflows?view=active`, { headers: { 'if-none-match': '"v1"' } });
      expect(again.status).toBe(304);
      const recover = await fetch(`${origin}/workflows/w1/recover`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ fromStep: 'label' }),
      });
      expect(recover.status).toBe(200);
      expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"fromStep":"label"}' });
      expect(seen.at(-1)?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    });
  });

  it('sends the API key of an apiKey stage', async () => {
    await withServer({ kind: 'apiKey', key: 'k-123' }, async (_server, origin) => {
      expect((await fetch(`${origin}/definitions`)).status).toBe(200);
      expect(seen.at(-1)?.headers['x-api-key']).toBe('k-123');
      expect(seen.at(-1)?.headers.authorization).toBeUndefined();
    });
  });

  it("refuses calls from another site's page, and from a host name that is not its own", async () => {
    await withServer({ kind: 'iam' }, async (_server, origin) => {
      const before = seen.length;
      const foreign = await fetch(`${origin}/workflows/w1/cancel`, {
        method: 'POST',
        headers: { origin: 'https://evil.example.com', 'content-type': 'text/plain' },
        body: '{}',
      });
      expect(foreign.status).toBe(403);
      const crossSite = await fetch(`${origin}/definitions`, { headers: { 'sec-fetch-site': 'cross-site' } });
      expect(crossSite.status).toBe(403);
      // fetch cannot set Host: a page reached under another name (DNS rebinding) sends its own.
      const rebound = await raw(`${origin}/definitions`, { host: 'attacker.example.com' });
      expect(rebound.status).toBe(403);
      expect(seen.length).toBe(before);
    });
  });
});
