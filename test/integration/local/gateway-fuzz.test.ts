import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as z from 'zod/mini';
import { routes } from '../../../functions/api/routes.js';
import { ErrorResponse } from '../../../functions/api/schemas.js';
import {
  HEADER_LIMIT_BYTES,
  PAYLOAD_LIMIT_BYTES,
  routesOf,
  startApiGateway,
} from '../../../infra/local/api-gateway.js';
import type { LocalLambdaRuntime } from '../../../infra/local/lambda-runtime.js';
import { type LocalApp, startLocalApp } from '../../../infra/local/local-app.js';
import { resourcesOfType } from '../../../infra/local/template.js';
import { type CfnTemplate, synthTemplate } from '../../../infra/synth.js';
import { testFlow } from '../../support/test-flow.js';

/*
 * The local API gateway over real HTTP (raw sockets: most of these requests are ones fetch() refuses
 * to send): whatever a client sends, the answer is never a 5xx, and every error is the API's error
 * schema rendered from the template's gateway responses, with the status API Gateway gives
 * (docs/local-stack.md, "API Gateway").
 */

let app: LocalApp;
let host = '';
let port = 0;
beforeAll(async () => {
  // The synthesized app under a stage of its own, on the test run's DynamoDB server (as startTestApp).
  const template = synthTemplate({ stage: `g${randomBytes(4).toString('hex')}`, definitions: [testFlow] });
  app = await startLocalApp({
    template,
    dynamoEndpoint: inject('dynamoEndpoint'),
    environment: { AUTOMATIC_RECOVERY: 'off' },
  });
  const url = new URL(app.api.url);
  host = url.hostname;
  port = Number(url.port);
}, 120_000);
afterAll(() => app?.close());

interface Answer {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const decodeChunked = (data: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
};

/** Sends raw bytes on a connection of its own and reads the one answer until the server closes. */
const sendRaw = (request: Buffer, timeoutMs = 15_000): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    // EPIPE/ECONNRESET while still sending: whatever answer arrived before is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      let data = Buffer.concat(chunks);
      for (;;) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(data.toString('latin1'))}`));
        const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(statusLine.split(' ')[1]);
        data = data.subarray(end + 4);
        if (status >= 100 && status < 200) continue; // 100 Continue: the answer follows
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const body = headers['transfer-encoding']?.includes('chunked') ? decodeChunked(data) : data;
        return resolve({ status, headers, body: body.toString('utf8') });
      }
    });
    socket.write(request);
  });

interface RawRequest {
  readonly method: string;
  readonly target: string;
  readonly version?: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  /** Send Transfer-Encoding: chunked with this (possibly broken) framing instead of Content-Length. */
  readonly chunked?: string;
}

/** The request's bytes: header values as latin1 (as HTTP carries them), `connection: close` last. */
const encode = (request: RawRequest): Buffer => {
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
  const lines = [
    `${request.method} ${request.target} ${request.version ?? 'HTTP/1.1'}`,
    `host: ${host}:${port}`,
    ...(request.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    ...(request.chunked !== undefined
      ? ['transfer-encoding: chunked']
      : body !== undefined
        ? [`content-length: ${body.length}`]
        : []),
    'connection: close',
  ];
  return Buffer.concat([
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
    request.chunked !== undefined ? Buffer.from(request.chunked, 'latin1') : (body ?? Buffer.alloc(0)),
  ]);
};

const send = (request: RawRequest) => sendRaw(encode(request));

/** What every answer must be: below 500, and an error in the API's error schema (HEAD has no body). */
const problemsOf = (request: RawRequest, answer: Answer): string[] => {
  const problems: string[] = [];
  if (!(answer.status >= 100 && answer.status < 500)) problems.push(`status ${answer.status}`);
  if (answer.status >= 400 && request.method !== 'HEAD') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      problems.push(`error body is not JSON: ${JSON.stringify(answer.body.slice(0, 200))}`);
    }
    if (parsed !== undefined && !z.strictObject(ErrorResponse.shape).safeParse(parsed).success)
      problems.push(`error body is not the error schema: ${answer.body.slice(0, 200)}`);
    if (!answer.headers['content-type']?.startsWith('application/json'))
      problems.push(`error content-type ${answer.headers['content-type']}`);
  }
  return problems;
};

/** The status the template's gateway response of this type gives. */
const templateStatus = (type: string): number => {
  const response = resourcesOfType(app.template, 'AWS::ApiGateway::GatewayResponse').find(
    ({ resource }) => resource.Properties?.ResponseType === type,
  );
  return Number(response?.resource.Properties?.StatusCode);
};

const expectRefusal = (answer: Answer, type: string, error = type) => {
  expect(answer.status).toBe(templateStatus(type));
  expect(JSON.parse(answer.body)).toEqual({ error, message: expect.any(String) });
  expect(answer.headers['content-type']).toBe('application/json');
};

describe('the local API gateway refuses as API Gateway does, in the error schema', () => {
  it('a malformed percent-encoding in the path is a 400, not a 502', async () => {
    for (const target of ['/workflows/%E2%82/progress', '/workflows/%ZZ', '/definitions%', '/%ED%A0%80'])
      expectRefusal(await send({ method: 'GET', target }), 'BAD_REQUEST_PARAMETERS');
    // A well-formed one reaches the handler, decoded.
    const encoded = await send({ method: 'GET', target: '/workflows/a%2Fb%21/progress' });
    expect(encoded.status).toBe(404);
    expect(JSON.parse(encoded.body)).toMatchObject({ error: 'NotFoundError', details: { id: 'a/b!' } });
  });

  it('an unknown route or method is a 403 Missing Authentication Token, as on a REST API', async () => {
    for (const request of [
      { method: 'GET', target: '/nope' },
      { method: 'GET', target: '/workflows/x/nope' },
      { method: 'DELETE', target: '/workflows/x' },
      { method: 'OPTIONS', target: '/definitions' },
      { method: 'HEAD', target: '/definitions' },
      { method: 'PROPFIND', target: '/definitions' },
      { method: 'FOO', target: '/definitions' },
      { method: 'get', target: '/definitions' },
      { method: 'CONNECT', target: `${host}:${port}` },
      { method: 'GET', target: '/workflows//progress' },
    ]) {
      const answer = await send(request);
      expect(answer.status, `${request.method} ${request.target}`).toBe(
        templateStatus('MISSING_AUTHENTICATION_TOKEN'),
      );
      if (request.method !== 'HEAD')
        expect(JSON.parse(answer.body)).toEqual({
          error: 'MISSING_AUTHENTICATION_TOKEN',
          message: 'Missing Authentication Token',
        });
    }
  });

  it('a body over 10 MB is a 413, even to a client still sending it; one under it reaches the handler', async () => {
    const big = Buffer.alloc(PAYLOAD_LIMIT_BYTES + 1, 'a');
    const headers = [['content-type', 'application/json']] as const;
    expectRefusal(
      await send({ method: 'POST', target: '/workflows', headers, body: big }),
      'REQUEST_TOO_LARGE',
    );
    const chunked = `${(PAYLOAD_LIMIT_BYTES + 1).toString(16)}\r\n${big.toString('latin1')}\r\n0\r\n\r\n`;
    expectRefusal(
      await send({ method: 'POST', target: '/workflows', headers, chunked }),
      'REQUEST_TOO_LARGE',
    );
    const under = await send({
      method: 'POST',
      target: '/workflows',
      headers,
      body: Buffer.alloc(PAYLOAD_LIMIT_BYTES, ' '),
    });
    expect(under.status).toBe(400);
    expect(JSON.parse(under.body).error).toBe('ValidationError');
  });

  it('headers over the limit are a 413, malformed ones a 400; odd but valid ones are served', async () => {
    for (const size of [HEADER_LIMIT_BYTES + 1, 20 * 1024, 100 * 1024])
      expectRefusal(
        await send({ method: 'GET', target: '/definitions', headers: [['x-big', 'b'.repeat(size)]] }),
        'REQUEST_TOO_LARGE',
      );
    for (const headers of [
      [['x-bad', 'a\u0001b']],
      [['bad header', 'x']],
      [
        ['content-length', '1'],
        ['content-length', '2'],
      ],
    ] as [string, string][][])
      expectRefusal(await send({ method: 'GET', target: '/definitions', headers }), 'BAD_REQUEST_PARAMETERS');
    expectRefusal(
      await send({ method: 'POST', target: '/workflows', chunked: 'zz\r\nxx\r\n0\r\n\r\n' }),
      'BAD_REQUEST_PARAMETERS',
    );
    for (const headers of [
      [['expect', 'something']],
      [['x-latin1', '\u00e9\u00ff']],
      [
        ['upgrade', 'websocket'],
        ['connection', 'upgrade'],
      ],
    ] as [string, string][][])
      expect((await send({ method: 'GET', target: '/definitions', headers })).status).toBe(200);
    expect((await send({ method: 'GET', target: '/definitions', version: 'HTTP/1.0' })).status).toBe(200);
  });

  it("query keys and header names that are Object.prototype's members reach the handler as keys", async () => {
    const target = '/workflows?toString=jobs&__proto__=x&constructor=y&hasOwnProperty=z';
    const headers = [
      ['idempotency-key', 'key-1'],
      ['__proto__', 'p'],
      ['tostring', 't'],
    ] as const;
    const answer = await send({ method: 'POST', target, headers, body: '{}' });
    // The handler refuses the query it does not take, naming every key: no 502 from the gateway.
    expect(answer.status).toBe(400);
    const { error, message } = JSON.parse(answer.body);
    expect(error).toBe('ValidationError');
    for (const key of ['toString', '__proto__', 'constructor', 'hasOwnProperty'])
      expect(message).toContain(key);
    const listed = await send({ method: 'GET', target: '/definitions', headers });
    expect(listed.status).toBe(200);
  });

  it('a request target that is not a path is a 400; an absolute one is routed by its path', async () => {
    expectRefusal(await send({ method: 'OPTIONS', target: '*' }), 'BAD_REQUEST_PARAMETERS');
    expect((await send({ method: 'GET', target: `http://elsewhere/definitions` })).status).toBe(200);
  });
});

describe('the local gateway takes its refusals from the template', () => {
  const withResponse = (properties: Record<string, unknown>): CfnTemplate => {
    const base = app.template;
    const api = resourcesOfType(base, 'AWS::ApiGateway::RestApi')[0]?.logicalId ?? '';
    return {
      ...base,
      Resources: {
        ...Object.fromEntries(
          Object.entries(base.Resources).filter(([, r]) => r.Type !== 'AWS::ApiGateway::GatewayResponse'),
        ),
        Custom: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: { RestApiId: { Ref: api }, ...properties },
        },
      },
    };
  };

  it('its status, template and headers, with the $context variables substituted', async () => {
    const template = withResponse({
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: {
        'application/json': `{"kind":"$context.error.responseType","says":$context.error.messageString,"at":"$\{context.path}"}`,
      },
      ResponseParameters: {
        'gatewayresponse.header.x-custom': "'fixed'",
        'gatewayresponse.header.x-echo': 'method.request.header.x-in',
      },
    });
    const gateway = await startApiGateway({
      routes: routesOf(template, app.region),
      lambda: {} as LocalLambdaRuntime,
    });
    try {
      const response = await fetch(`${gateway.url}/nowhere`, { headers: { 'x-in': 'echoed' } });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-custom')).toBe('fixed');
      expect(response.headers.get('x-echo')).toBe('echoed');
      expect(await response.json()).toEqual({
        kind: 'MISSING_AUTHENTICATION_TOKEN',
        says: 'Missing Authentication Token',
        at: '/local/nowhere',
      });
      // Without a customized response of its type or a default one: API Gateway's own body and status.
      const bare = await fetch(`${gateway.url}/workflows/%E2%82/progress`);
      expect(bare.status).toBe(400);
      expect(await bare.json()).toEqual({ message: 'Invalid percent-encoding in the request path' });
    } finally {
      await gateway.close();
    }
  });

  it('refuses at start what it cannot render, naming the resource', () => {
    for (const text of ['{"who":"$context.authorizer.principalId"}', '{"m":"$util.escapeJavaScript($x)"}'])
      expect(() =>
        routesOf(
          withResponse({ ResponseType: 'DEFAULT_4XX', ResponseTemplates: { 'application/json': text } }),
          app.region,
        ),
      ).toThrow(/gateway response Custom/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The fuzz: generated requests of every kind, mostly malformed, over raw sockets.

const FUZZ_RUNS = 5_000;
const CONCURRENCY = 4;

const hex = (n: number) => `%${n.toString(16).toUpperCase().padStart(2, '0')}`;
const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/*
 * Each request starts sane (a route of the table, plausible ids, a JSON body where one belongs) and,
 * mostly, gets one thing made wild: its method, path, query, headers, body, framing or HTTP version;
 * now and then all of them at once.
 */

const ROUTES: { method: string; path: string }[] = routes.map(({ method, path }) => ({ method, path }));
const saneId = fc.oneof(
  pick('01JD2Q8W4M6Y0B3C5E7G9K1N2P', 'job-1', 'x'),
  fc.string({ minLength: 1, maxLength: 16 }).map(encodeURIComponent),
);
const sanePath = fc
  .tuple(pick(...ROUTES), fc.array(saneId, { minLength: 4, maxLength: 4 }))
  .map(([route, ids]) => {
    let i = 0;
    return { method: route.method, path: route.path.replace(/\{\w+\}/g, () => ids[i++] ?? 'x') };
  });
const saneQuery = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      pick('limit', 'cursor', 'status', 'jobId', 'view', 'createdDay'),
      fc.oneof(
        fc.string({ maxLength: 12 }).map(encodeURIComponent),
        fc.integer({ min: 0, max: 200 }).map(String),
      ),
      { maxKeys: 3 },
    )
    .map((query) => `?${new URLSearchParams(query)}`),
);
const saneHeaders = fc.subarray([
  ['content-type', 'application/json'],
  ['idempotency-key', 'key-1'],
  ['x-correlation-id', 'corr-1'],
  ['accept', 'application/json'],
  ['user-agent', 'gateway-fuzz'],
] as [string, string][]);
const saneBody = fc.oneof(
  fc.json({ maxDepth: 2 }),
  fc
    .record(
      { jobId: fc.string({ minLength: 1, maxLength: 20 }), definition: fc.string(), start: fc.boolean() },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

const malformedEscape = fc.oneof(
  pick('%', '%%', '%E2%82', '%ZZ', '%C0%AF', '%FF', '%ED%A0%80', '%F4%90%80%80', '%E0%A4%A', '%0'),
  fc.integer({ min: 0x80, max: 0xff }).map(hex),
);
const wildSegment = fc.oneof(
  { weight: 3, arbitrary: pick('workflows', 'jobs', 'definitions', 'start', 'progress', 'tasks', 'history') },
  { weight: 2, arbitrary: malformedEscape },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: pick('', '.', '..', '%2F', '%00', '%20', '+', ';x=1', '~', '{id}') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xff }).map(hex) },
  // Bytes a client should have encoded (sent as latin1): Node's parser refuses most of them.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }).map((s) => s.replace(/[\r\n]/g, '')) },
);
const wildPath = fc.oneof(
  { weight: 4, arbitrary: fc.array(wildSegment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`) },
  {
    weight: 3,
    // A route's own path with one parameter made wild.
    arbitrary: fc
      .tuple(pick(...ROUTES.filter((route) => route.path.includes('{'))), wildSegment)
      .map(([route, value]) => route.path.replace(/\{\w+\}/, value)),
  },
  {
    weight: 1,
    arbitrary: pick('*', '', '//definitions', 'http://x/definitions', '/definitions/', '/definitions?'),
  },
);
const wildQuery = fc
  .array(
    fc.tuple(
      fc.oneof(pick('limit', 'cursor', 'status'), wildSegment),
      fc.oneof(wildSegment, malformedEscape),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`);
const wildMethod = fc.oneof(
  { weight: 3, arbitrary: pick('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'GET', 'POST') },
  { weight: 2, arbitrary: pick('PROPFIND', 'PURGE', 'LOCK', 'get', 'FOO', 'G3T', 'CONNECT', 'M-SEARCH') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z]{1,8}$/) },
);
const wildHeaderName = fc.oneof(
  {
    weight: 4,
    arbitrary: pick(
      'content-type',
      'Content-Type',
      'accept',
      'idempotency-key',
      'x-correlation-id',
      'authorization',
      'x-api-key',
      'expect',
      'content-encoding',
      'upgrade',
      'cookie',
      '__proto__',
      'constructor',
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/) },
  // Not a token: Node's parser refuses it.
  { weight: 1, arbitrary: pick('bad header', 'x:y', '\u00e9', '') },
);
const wildHeaderValue = fc.oneof(
  { weight: 3, arbitrary: pick('application/json', 'application/json; charset=utf-8', 'text/plain', '*/*') },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')) },
  { weight: 2, arbitrary: pick('', ' ', '100-continue', 'gzip', 'chunked', 'websocket', 'x'.repeat(200)) },
  // Control characters and bytes above ASCII (sent as latin1).
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')) },
  // Over API Gateway's header limit; and over Node's own (16 KB), refused by its parser.
  { weight: 1, arbitrary: pick(HEADER_LIMIT_BYTES + 1, 17 * 1024).map((n) => 'h'.repeat(n)) },
);
const wildHeaders = fc.array(fc.tuple(wildHeaderName, wildHeaderValue), { minLength: 1, maxLength: 4 });
const OVERSIZED = 'oversized';
const wildBody = fc.oneof(
  { weight: 3, arbitrary: fc.json().map((text) => text.slice(0, Math.max(1, text.length - 1))) }, // cut short
  { weight: 2, arbitrary: fc.string() },
  { weight: 2, arbitrary: pick('{', '}', '[', '{"jobId":', 'null', '""', '{"jobId":"a","definition":"b"}x') },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  // Over the payload limit (10 MB on the wire each).
  { weight: 1, arbitrary: pick(OVERSIZED) },
);
/** Transfer-encoding framing, valid or broken (each broken one is refused at once, not waited on). */
const wildFraming = pick(
  '0\r\n\r\n',
  '5\r\nhello\r\n0\r\n\r\n',
  'zz\r\n\r\n',
  '5\r\nhelloXX0\r\n\r\n',
  '-1\r\n\r\n',
);
const wildVersion = pick('HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 ', 'HTTX/1.1');

const FLAWS = ['method', 'path', 'query', 'headers', 'body', 'framing', 'version', 'all'] as const;
const oversized = Buffer.alloc(PAYLOAD_LIMIT_BYTES + 1, '{');
const fuzzRequest = fc
  .record({
    flaw: fc.oneof(
      { weight: 2, arbitrary: fc.constant('none' as const) },
      { weight: 3, arbitrary: pick(...FLAWS) },
      { weight: 2, arbitrary: pick('path', 'headers', 'body') },
    ),
    sane: fc.record({ route: sanePath, query: saneQuery, headers: saneHeaders, body: saneBody }),
    wild: fc.record({
      method: wildMethod,
      path: wildPath,
      query: wildQuery,
      headers: wildHeaders,
      body: wildBody,
      framing: wildFraming,
      version: wildVersion,
    }),
  })
  .map(({ flaw, sane, wild }): RawRequest => {
    const odd = (part: (typeof FLAWS)[number]) => flaw === part || flaw === 'all';
    const method = odd('method') ? wild.method : sane.route.method;
    const body = odd('body') ? wild.body : method === 'POST' ? sane.body : undefined;
    return {
      method,
      target: `${odd('path') ? wild.path : sane.route.path}${odd('query') ? wild.query : sane.query}`,
      ...(odd('version') ? { version: wild.version } : {}),
      // Framing headers are the encoder's: a generated content-length would leave the server waiting.
      headers: [...sane.headers, ...(odd('headers') ? wild.headers : [])],
      ...(odd('framing')
        ? { chunked: wild.framing }
        : body === OVERSIZED
          ? { body: oversized }
          : body !== undefined
            ? { body }
            : {}),
    };
  });

/** `error` of a JSON error body, for the summary. */
const errorOf = (answer: Answer): string => {
  try {
    return String(JSON.parse(answer.body).error);
  } catch {
    return 'no body';
  }
};

describe('fuzz: no request gets a 5xx or an error outside the error schema', () => {
  it(`${FUZZ_RUNS} generated requests over raw sockets`, async () => {
    // FUZZ_SEED=<n> replays a run: the seed is in the summary line and in every failure.
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const requests = fc.sample(fuzzRequest, { numRuns: FUZZ_RUNS, seed });
    const answers = new Map<string, number>();
    const failures: string[] = [];
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++] as RawRequest;
        const shown = `${request.method} ${JSON.stringify(request.target)} ${JSON.stringify(request.headers).slice(0, 200)} body ${request.body?.length ?? JSON.stringify(request.chunked ?? '-')}`;
        try {
          const answer = await send(request);
          const kind = answer.status >= 400 ? `${answer.status} ${errorOf(answer)}` : String(answer.status);
          answers.set(kind, (answers.get(kind) ?? 0) + 1);
          for (const problem of problemsOf(request, answer)) failures.push(`${shown}: ${problem}`);
        } catch (error) {
          failures.push(`${shown}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const summary = [...answers].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ×${n}`);
    console.log(
      `gateway fuzz (seed ${seed}): ${requests.length} requests in ${Date.now() - started} ms\n  ${summary.join('\n  ')}`,
    );
    expect(failures.slice(0, 20), `seed ${seed}: ${failures.length} failures`).toEqual([]);
    expect([...answers.keys()].filter((kind) => Number(kind.slice(0, 3)) >= 500)).toEqual([]);
    // The mix reached every kind of answer: the handler's, and each refusal of the gateway.
    for (const kind of [
      '200',
      '400 ValidationError',
      '404 NotFoundError',
      '415 UnsupportedMediaType',
      '400 BAD_REQUEST_PARAMETERS',
      '403 MISSING_AUTHENTICATION_TOKEN',
      '413 REQUEST_TOO_LARGE',
    ])
      expect(answers.get(kind), kind).toBeGreaterThan(10);
  }, 180_000);
});
