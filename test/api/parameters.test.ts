import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowDefinitions } from '../../functions/definitions/catalog.js';
import { createWorkflowWithTasks } from '../../functions/repositories/workflow-store.js';
import { startTestApi, type TestApi } from './support.js';

/*
 * Typed parameters through the real API handler (README, "Add your own workflow"): a create's
 * metadata is checked against its definition's parameters, defaults are stored, GET /definitions
 * publishes them as JSON Schema, and a record written before parameters existed still works.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const jobId = () => `job-params-${Math.random().toString(36).slice(2)}`;
const create = (metadata: unknown, definition = 'dataset-build') =>
  api.call('POST', '/workflows', { body: { jobId: jobId(), definition, metadata } });

describe('POST /workflows checks metadata against the definition parameters', () => {
  it('answers 400 naming the field and the rule', async () => {
    const result = await create({ dataset: { items: 100_001 } });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      error: 'ValidationError',
      message: 'metadata.dataset.items must be at most 100000',
      details: [{ path: 'metadata.dataset.items', rule: 'too_big', message: 'must be at most 100000' }],
    });
  });

  it('lists every problem: types, unknown keys of a declared object, a step the definition lacks', async () => {
    const result = await create({
      dataset: { items: 2.5, seed: 'x', item: 5 },
      tolerance: { lable: 10, download: 120 },
      autoRecovery: 'no',
    });
    expect(result.status).toBe(400);
    expect(result.body.message).toBe('metadata.dataset.items must be an integer (and 5 more)');
    expect(result.body.details).toEqual(
      expect.arrayContaining([
        { path: 'metadata.dataset.items', rule: 'invalid_type', message: 'must be an integer' },
        { path: 'metadata.dataset.seed', rule: 'invalid_type', message: 'must be a number' },
        {
          path: 'metadata.dataset.item',
          rule: 'unrecognized_keys',
          message: 'is not a parameter of this definition',
        },
        { path: 'metadata.tolerance.download', rule: 'too_big', message: 'must be at most 100' },
        {
          path: 'metadata.tolerance.lable',
          rule: 'unrecognized_keys',
          message: 'is not a parameter of this definition',
        },
        { path: 'metadata.autoRecovery', rule: 'invalid_type', message: 'must be true or false' },
      ]),
    );
    expect(result.body.details).toHaveLength(6);
  });

  it('refuses faults where fault injection is off, before the parameters', async () => {
    const result = await create({ faults: { label: { fatal: true } } });
    expect(result.status).toBe(400);
    expect(result.body.details).toEqual([
      expect.objectContaining({ path: 'metadata.faults', rule: 'fault-injection-off' }),
    ]);
  });

  it('stores the parsed value: defaults filled in, a job service key kept as given', async () => {
    const created = await create({
      dataset: { items: 500, labels: ['a', 'b'] },
      callbackUrl: 'https://x.test/cb',
    });
    expect(created.status).toBe(201);
    const expected = {
      dataset: { items: 500, seed: 1, duplicateRate: 0.1, invalidRate: 0.05, labels: ['a', 'b'] },
      callbackUrl: 'https://x.test/cb',
    };
    expect(created.body.metadata).toEqual(expected);
    const got = await api.call('GET', '/workflows/{id}', { params: { id: created.body.workflowId } });
    expect(got.body.metadata).toEqual(expected);
    // No metadata at all: every default.
    const bare = await api.call('POST', '/workflows', {
      body: { jobId: jobId(), definition: 'dataset-smoke' },
    });
    expect(bare.status).toBe(201);
    expect(bare.body.metadata).toEqual({
      dataset: {
        items: 2000,
        seed: 1,
        duplicateRate: 0.1,
        invalidRate: 0.05,
        labels: ['cat', 'dog', 'bird'],
      },
    });
  });

  it('keeps working on a record created before its definition declared parameters', async () => {
    const definition = workflowDefinitions[0];
    if (!definition) throw new Error('no shipped definition');
    // Written as an earlier release wrote it: metadata the parameters now refuse.
    const old = await createWorkflowWithTasks(
      { doc: api.tables.doc, workflows: api.tables.names.workflows, tasks: api.tables.names.tasks },
      {
        workflow: {
          jobId: jobId(),
          definitionName: definition.name,
          definitionVersion: definition.version,
          metadata: { dataset: { items: 200_000, extra: true }, note: 'old' },
        },
        tasks: definition.steps.map((step) => ({
          taskName: step.name,
          taskType: step.taskType,
          maxRetries: step.maxRetries,
          timeout: step.timeout,
        })),
      },
    );
    const params = { params: { id: old.workflowId } };
    const got = await api.call('GET', '/workflows/{id}', params);
    expect(got.status).toBe(200);
    expect(got.body.metadata).toEqual({ dataset: { items: 200_000, extra: true }, note: 'old' });
    expect((await api.call('GET', '/workflows/{id}/progress', params)).status).toBe(200);
    expect((await api.call('POST', '/workflows/{id}/start', params)).body).toMatchObject({
      status: 'running',
    });
  });
});

describe('GET /definitions', () => {
  it("publishes each definition's parameters as JSON Schema, without fault-injection keys here", async () => {
    const result = await api.call('GET', '/definitions');
    expect(result.status).toBe(200);
    const build = result.body.items.find((d: { name: string }) => d.name === 'dataset-build');
    expect(build.parameters).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        dataset: {
          type: 'object',
          additionalProperties: false,
          properties: { items: { type: 'integer', minimum: 1, maximum: 100_000, default: 2000 } },
        },
        autoRecovery: { type: 'boolean' },
        tolerance: { properties: { download: { maximum: 100 }, validate: { maximum: 100 } } },
      },
    });
    expect(build.parameters.properties).not.toHaveProperty('faults');
  });
});
