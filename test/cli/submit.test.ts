import { describe, expect, it } from 'vitest';
import { cliRunner } from './local-cli.js';

/*
 * `submit --param`: metadata is checked against the definition's parameters before anything is
 * sent (README, "Add your own workflow"). The API here is a fake that records what reaches it.
 */

const sent: { method: string; path: string; body: unknown }[] = [];
const fakeApi = async (request: Request): Promise<Response> => {
  const body = request.body ? ((await request.json()) as Record<string, unknown>) : undefined;
  sent.push({ method: request.method, path: new URL(request.url).pathname, body });
  const workflow = { workflowId: '01JD2Q8W4M6Y0B3C5E7G9K1N2P', jobId: body?.jobId, status: 'pending' };
  return new Response(JSON.stringify(workflow), {
    status: 201,
    headers: { 'content-type': 'application/json' },
  });
};
const cli = cliRunner(() => 'http://api.test', fakeApi);

describe('submit --param', () => {
  it('refuses a value the definition parameters refuse, naming the field and the rule, and sends nothing', async () => {
    sent.length = 0;
    const refused = await cli('submit', 'dataset-build', 'job-1', '--param', 'dataset.items=500000');
    expect(refused.code).toBe(64);
    expect(refused.error).toContain('error: metadata.dataset.items must be at most 100000');
    expect(refused.error).toContain('  - metadata.dataset.items: must be at most 100000 [too_big]');
    const typo = await cli('submit', 'dataset-build', 'job-1', '--metadata', '{"dataset":{"item":5}}');
    expect(typo.code).toBe(64);
    expect(typo.error).toContain('metadata.dataset.item is not a parameter of this definition');
    expect(sent).toEqual([]);
  });

  it('sets each --param at its path over --metadata: JSON values, else text', async () => {
    sent.length = 0;
    const submitted = await cli(
      'submit',
      'dataset-build',
      'job-2',
      '--metadata',
      '{"dataset":{"seed":2}}',
      '--param',
      'dataset.items=500',
      '--param',
      'dataset.labels=["a","b"]',
      '--param',
      'callbackUrl=https://x.test/cb',
      '--start',
    );
    expect(submitted).toMatchObject({ code: 0, text: '01JD2Q8W4M6Y0B3C5E7G9K1N2P  pending' });
    expect(sent).toEqual([
      {
        method: 'POST',
        path: '/workflows',
        body: {
          definition: 'dataset-build',
          jobId: 'job-2',
          metadata: {
            dataset: { seed: 2, items: 500, labels: ['a', 'b'] },
            callbackUrl: 'https://x.test/cb',
          },
          start: true,
        },
      },
    ]);
  });

  it('pins a version with --definition-version, and sends none without it', async () => {
    sent.length = 0;
    expect((await cli('submit', 'dataset-smoke', 'job-6', '--definition-version', '2')).code).toBe(0);
    expect((await cli('submit', 'dataset-smoke', 'job-7')).code).toBe(0);
    expect(sent.map((call) => (call.body as { definitionVersion?: string }).definitionVersion)).toEqual([
      '2',
      undefined,
    ]);
  });

  it('leaves faults, and definitions this checkout does not have, to the API', async () => {
    sent.length = 0;
    expect((await cli('submit', 'dataset-smoke', 'job-3', '--param', 'faults.label.failTimes=2')).code).toBe(
      0,
    );
    expect((await cli('submit', 'elsewhere', 'job-4', '--param', 'size=-1')).code).toBe(0);
    expect(sent.map((call) => (call.body as { metadata: unknown }).metadata)).toEqual([
      { faults: { label: { failTimes: 2 } } },
      { size: -1 },
    ]);
  });

  it('answers a malformed --param with the usage and exit code 64', async () => {
    for (const param of ['=3', 'dataset..items=3', 'items'])
      expect((await cli('submit', 'dataset-build', 'job-5', '--param', param)).code, param).toBe(64);
    const through = await cli(
      'submit',
      'dataset-build',
      'job-5',
      '--metadata',
      '{"dataset":1}',
      '--param',
      'dataset.items=3',
    );
    expect(through.code).toBe(64);
    expect(through.error).toContain('dataset is not an object in --metadata');
  });
});
