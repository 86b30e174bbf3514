import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, startLocalProcess } from '../support/local-process.js';
import { copyOfRepo, editCopy as edit } from '../support/repo-copy.js';
import { apiClient } from './client.js';
import { expectInvariants } from './invariants.js';

afterAll(killLeftovers);

describe('npm start -- --watch', () => {
  it('serves edited handlers and definitions without a restart, keeping data and runs in flight', async () => {
    const root = copyOfRepo();
    const stack = await startLocalProcess(['--watch', '--no-demo', '--in-memory'], { root });
    const api = apiClient(stack.url);
    const reloaded = async (change: () => void, line: string) => {
      const from = stack.output().length;
      change();
      await stack.waitForOutput(line, { from, timeoutMs: 60_000 });
    };

    // A run in flight across every reload below.
    const inFlight = await api.post('/workflows', {
      jobId: 'watch-in-flight',
      definition: 'dataset-smoke',
      metadata: { dataset: { items: 20 }, faults: { download: { delayMs: 4_000 } } },
      start: true,
    });
    expect(inFlight.status).toBe(201);

    // A handler edit: the API's own code, served at once.
    expect((await api.get('/workflows/01UNKNOWN')).body.message).toContain('Workflow not found');
    await reloaded(
      () => edit(root, 'functions/domain/errors.ts', ' not found: ', ' is not known: '),
      'handlers reloaded',
    );
    expect((await api.get('/workflows/01UNKNOWN')).body.message).toContain('Workflow is not known');

    // An edit that does not compile: said, and the previous code keeps serving.
    await reloaded(() => edit(root, 'functions/domain/errors.ts', 'super(', 'super(('), 'reload failed');
    expect((await api.get('/workflows/01UNKNOWN')).body.message).toContain('Workflow is not known');

    await reloaded(() => edit(root, 'functions/domain/errors.ts', 'super((', 'super('), 'handlers reloaded');

    // A definition edit: the template is synthesized again; new runs get the new retry policy.
    await reloaded(
      () =>
        edit(
          root,
          'state-machines/definitions/dataset-smoke.ts',
          'package: { maxRetries: 0,',
          'package: { maxRetries: 2,',
        ),
      'template re-synthesized',
    );
    const definitions = (await api.get('/definitions')).body.items as {
      name: string;
      steps: { name: string; maxRetries: number }[];
    }[];
    const smoke = definitions.find((d) => d.name === 'dataset-smoke');
    expect(smoke?.steps.find((s) => s.name === 'package')?.maxRetries).toBe(2);
    const retried = await api.post('/workflows', {
      jobId: 'watch-new-definition',
      definition: 'dataset-smoke',
      // Under the old policy (no retry) this fails; under the new one, package's second attempt succeeds.
      metadata: { dataset: { items: 20 }, faults: { package: { failTimes: 1 } } },
      start: true,
    });
    expect((await api.waitFor(retried.body.workflowId)).status).toBe('completed');
    expect((await api.tasks(retried.body.workflowId)).package?.attempts).toBe(2);

    // The run that was in flight all along finished, and nothing was lost.
    expect((await api.waitFor(inFlight.body.workflowId)).status).toBe('completed');
    await expectInvariants(api, [inFlight.body.workflowId, retried.body.workflowId]);
    expect(await stack.interrupt()).toBe(0);
  }, 240_000);
});
