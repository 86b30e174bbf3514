import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eTarget, startTarget } from '../e2e/target.js';
import { type GeneratedRequest, requestOf } from './arbitraries.js';
import { type Call, type Contract, json, loadContract, send } from './support.js';

/*
 * The property test: requests generated from docs/openapi.json's own schemas (valid ones, and ones
 * with a value the document refuses), at every operation, against the running API (the local
 * stack started here, or E2E_API_URL). Whatever the request, the answer must be documented (status,
 * headers, body) and never a server error; a request the document refuses must be refused (400, or
 * 415 for a body that is not JSON), so the API is never looser than its document.
 */

let target: E2eTarget;
let contract: Contract;
let definitions: string[] = [];
/** Ids that exist, so generated requests reach past 404: filled by every workflow created. */
const pool = { id: [] as string[], jobId: [] as string[] };

const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

beforeAll(async () => {
  [target, contract] = await Promise.all([startTarget(), loadContract()]);
  const listed = await send(target.url, json('GET', '/definitions'));
  definitions = (contract.check('listDefinitions', listed) as { items: { name: string }[] }).items.map(
    (d) => d.name,
  );
  for (const start of [false, true]) {
    const body = { jobId: `property-${run}-${start}`, definition: definitions[0], start };
    const created = await send(target.url, json('POST', '/workflows', body));
    const { workflowId } = contract.check('createWorkflow', created) as { workflowId: string };
    pool.id.push(workflowId);
    pool.jobId.push(body.jobId);
  }
}, 120_000);
afterAll(() => target?.stop());

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/** The generated request as sent: path parameters filled in (from the pool or as generated). */
const toCall = (generated: GeneratedRequest): { call: Call; parsedBody: unknown } => {
  const operation = contract.operation(generated.operationId);
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = generated.path[name];
    const ids = pool[name as keyof typeof pool] ?? [];
    const raw = value && 'pool' in value ? (ids[value.pool % ids.length] ?? 'none') : (value?.value ?? '');
    return encodeURIComponent(raw);
  });
  const { body } = generated;
  let value = body.kind === 'json' ? body.value : undefined;
  if (generated.knownDefinition !== null && value && typeof value === 'object' && 'definition' in value)
    value = { ...value, definition: definitions[generated.knownDefinition % definitions.length] };
  const text = body.kind === 'json' ? JSON.stringify(value) : body.kind === 'raw' ? body.text : undefined;
  const headers = {
    ...generated.headers,
    ...(body.kind === 'none' ? {} : { 'content-type': body.contentType }),
  };
  return {
    call: {
      method: operation.method.toUpperCase() as Call['method'],
      path,
      query: generated.query,
      headers,
      ...(text !== undefined ? { body: text } : {}),
    },
    parsedBody: value,
  };
};

/** What the document says of a request: which statuses a refusal must have, if it refuses it. */
const refusal = (generated: GeneratedRequest, call: Call, parsedBody: unknown): number[] | undefined => {
  const headers = Object.fromEntries(new Headers(call.headers)); // as sent: names lower-cased, values trimmed
  const jsonBody = generated.body.kind === 'json' && JSON_MEDIA_TYPE.test(generated.body.contentType);
  const errors = contract.requestErrors(generated.operationId, {
    path: call.path,
    query: call.query ?? {},
    headers: {
      ...headers,
      ...(generated.body.kind === 'none' ? {} : { 'content-type': 'application/json' }),
    },
    ...(jsonBody ? { body: parsedBody } : {}),
  });
  // The handler reads the path and query first, then the body (its media type, its JSON), then headers.
  if (errors.some((e) => /^\/(path|query)\b/.test(e.instancePath))) return [400];
  if (
    call.body !== undefined &&
    call.body.trim() !== '' &&
    !JSON_MEDIA_TYPE.test(generated.body.kind === 'none' ? '' : generated.body.contentType)
  )
    return [415];
  if (generated.body.kind === 'raw' || errors.length > 0) return [400];
  return undefined;
};

describe('requests generated from the document', () => {
  it('are answered with a documented status and shape, never a 5xx; those it refuses are refused', async () => {
    const operations = contract.operations.map((operation) => requestOf(operation));
    let sent = 0;
    const statuses = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations), async (generated) => {
        const { call, parsedBody } = toCall(generated);
        const answer = await send(target.url, call);
        sent += 1;
        const where = `${generated.operationId} ${call.method} ${call.path}?${new URLSearchParams(call.query)} ${JSON.stringify(call.headers)} ${call.body ?? ''} → ${answer.status} ${answer.text.slice(0, 300)}`;
        const body = contract.check(generated.operationId, answer);
        expect(answer.status, where).toBeLessThan(500);
        const refused = refusal(generated, call, parsedBody);
        if (refused) expect(refused, where).toContain(answer.status);
        else expect(answer.status, where).not.toBe(415);
        statuses.set(
          generated.operationId,
          (statuses.get(generated.operationId) ?? new Set()).add(answer.status),
        );
        if (generated.operationId === 'createWorkflow' && answer.status === 201) {
          const created = body as { workflowId: string; jobId: string };
          pool.id.push(created.workflowId);
          pool.jobId.push(created.jobId);
        }
      }),
      {
        numRuns: target.local ? 300 : 100,
        // The budget of the file (~60 s with the stack's start): fewer runs on a slow machine.
        interruptAfterTimeLimit: 20_000,
        markInterruptAsFailure: false,
      },
    );
    expect(sent).toBeGreaterThan(50);
    // The generated requests reached past validation: some operations succeeded.
    const succeeded = [...statuses.values()].filter((seen) => [...seen].some((status) => status < 300));
    expect(succeeded.length).toBeGreaterThan(contract.operations.length / 2);
  }, 90_000);
});
