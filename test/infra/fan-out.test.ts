import { beforeAll, describe, expect, it } from 'vitest';
import { RESULTS_KEY_PREFIX } from '../../functions/config/environment.js';
import { stateMachinesOf } from '../../infra/local/template.js';
import { type CfnTemplate, synthTemplate } from '../../infra/synth.js';
import { budgetsOf, describeBudget } from '../../state-machines/compile/fan-out-budget.js';
import { datasetBuild } from '../../state-machines/definitions/dataset-build.js';
import { step } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';

// biome-ignore lint/suspicious/noExplicitAny: ASL and CloudFormation are untyped JSON.
type Json = any;

/*
 * A fan-out step compiles to prepare → Distributed Map → finish (docs/behaviour.md, "Fan-out"):
 * its items read from the run's JSON Lines work list, batched, processed by Express children, the
 * Map Run's results written under results/, and the state machine's S3 rights scoped to that prefix.
 */

let raw: CfnTemplate;
let states: Record<string, Json>;

/** Every state of a definition, Parallel branches and Map processors included. */
const statesOf = (definition: Json): Record<string, Json> => {
  const all: Record<string, Json> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, Json>)) {
    all[name] = state;
    for (const branch of state.Branches ?? []) Object.assign(all, statesOf(branch));
    if (state.ItemProcessor) Object.assign(all, statesOf(state.ItemProcessor));
  }
  return all;
};

beforeAll(() => {
  raw = synthTemplate();
  const machine = stateMachinesOf(raw, { region: 'us-east-1' }).find((m) => m.name.endsWith('dataset-build'));
  states = statesOf(machine?.definition);
});

const forEachOf = (name: string) => datasetBuild.steps.find((s) => s.name === name)?.forEach;

describe('a fan-out step in the template', () => {
  it('runs prepare, then a Distributed Map over the work list, then finish', () => {
    expect(states['Run download']).toMatchObject({
      Type: 'Task',
      ResultPath: '$.fanout.s1',
      Parameters: { phase: 'prepare', forEach: forEachOf('download') },
      Next: 'Items of download',
    });
    const map = states['Items of download'];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { 'Key.$': '$.fanout.s1.key' },
      },
      ItemBatcher: {
        MaxItemsPerBatch: 100,
        BatchInput: { 'ledger.$': '$.fanout.s1.ledger', step: 'download', stepIndex: 1, maxRetries: 3 },
      },
      MaxConcurrency: 40,
      // The ledger decides the step's fate, not the Map Run (which counts a failed batch whole).
      ToleratedFailurePercentage: 100,
      ResultWriter: { Parameters: { 'Prefix.$': '$.fanout.s1.resultPrefix' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      ResultPath: null,
      Next: 'Finish download',
    });
    expect(JSON.stringify(map.ItemReader.Resource)).toContain('states:::s3:getObject');
    expect(states['Finish download']).toMatchObject({
      Type: 'Task',
      ResultPath: '$.results.s1',
      Parameters: { phase: 'finish', forEach: forEachOf('download') },
    });
  });

  it("retries a whole batch with the step's policy, then records its items as failed", () => {
    const process = states['Process download batch'];
    expect(process.Parameters).toEqual({
      phase: 'batch',
      'Items.$': '$.Items',
      'BatchInput.$': '$.BatchInput',
    });
    expect(process.Retry).toEqual([
      {
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 1,
        BackoffRate: 2,
        MaxAttempts: 3,
        MaxDelaySeconds: 60,
      },
    ]);
    expect(process.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record download batch failure' },
    ]);
    expect(states['Record download batch failure'].Parameters).toMatchObject({
      phase: 'batch-failed',
    });
  });

  it('sends the Map, prepare and finish to the failure bookkeeping, and only the Lambda tasks to pause and cancel', () => {
    const catches = (name: string) => (states[name].Catch as Json[]).map((c) => c.Next);
    expect(catches('Items of download')).toEqual(['Describe failure of download']);
    for (const name of ['Run download', 'Finish download'])
      expect(catches(name)).toEqual([
        'Paused before download',
        'Cancelled at download',
        'Describe failure of download',
      ]);
    expect(states['Paused before download'].Next).toBe('Run download');
  });

  it("scopes the state machine's S3 rights to results/ and its child executions to itself", () => {
    const roleOf = Object.entries(raw.Resources).find(
      ([, r]: [string, Json]) =>
        r.Type === 'AWS::StepFunctions::StateMachine' &&
        r.Properties.StateMachineName?.endsWith('dataset-build'),
    )?.[1] as Json;
    const roleId = roleOf.Properties.RoleArn['Fn::GetAtt'][0];
    const statements = Object.values(raw.Resources)
      .filter(
        (r: Json) =>
          r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: Json) => role.Ref === roleId),
      )
      .flatMap((r: Json) => r.Properties.PolicyDocument.Statement as Json[]);
    const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3.length).toBeGreaterThan(0);
    for (const statement of s3) {
      const resource = JSON.stringify(statement.Resource);
      expect(resource).toContain(`/${RESULTS_KEY_PREFIX}*`);
      expect(resource).not.toBe('"*"');
    }
    const start = statements.find((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(start?.Resource).toEqual({ Ref: expect.stringMatching(/datasetbuild/i) });
  });

  it('reads a manifest only where a step fans out over one: under manifests/, read-only', () => {
    const withManifest = defineWorkflow({
      name: 'from-manifest',
      steps: [
        step({
          name: 'each',
          taskType: 'download',
          handler: 'functions/steps/download.ts',
          timeout: 30,
          forEach: { items: { fromManifest: 'dataset.manifest' } },
        }),
      ],
    });
    const template = synthTemplate({ definitions: [withManifest] });
    const policies = JSON.stringify(
      Object.values(template.Resources).filter((r: Json) => r.Type === 'AWS::IAM::Policy'),
    );
    expect(policies).toContain('/manifests/*');
    expect(JSON.stringify(raw)).not.toContain('/manifests/*');
  });
});

describe('forEach rules at synth', () => {
  const define = (forEach: Json, extra: Json = {}) =>
    defineWorkflow({
      name: 'rules',
      steps: [
        step({ name: 'list', taskType: 'list', handler: 'functions/steps/list.ts' }),
        step({ name: 'other', taskType: 'list', handler: 'functions/steps/list.ts' }),
        step({
          name: 'each',
          taskType: 'download',
          handler: 'functions/steps/download.ts',
          dependencies: ['list'],
          timeout: 30,
          forEach,
          ...extra,
        }),
      ],
    });

  it('defaults batchSize, maxConcurrency and the tolerance', () => {
    expect(define({ items: { fromStep: 'list' } }).steps[2]?.forEach).toEqual({
      items: { fromStep: 0 },
      batchSize: 100,
      maxConcurrency: 40,
      toleratedFailurePercentage: 0,
    });
  });

  it.each([
    [
      { items: { fromStep: 'other' } },
      {},
      'steps[2] "each".forEach.items.fromStep',
      'not one of its dependencies',
    ],
    [
      { items: { fromStep: 'nope' } },
      {},
      'steps[2] "each".forEach.items.fromStep',
      'not one of its dependencies',
    ],
    [
      { items: { fromStep: 'list' }, batchSize: 0 },
      {},
      'steps[2] "each".forEach.batchSize',
      'between 1 and 1000',
    ],
    [
      { items: { fromStep: 'list' }, toleratedFailurePercentage: 101 },
      {},
      'steps[2] "each".forEach.toleratedFailurePercentage',
      'between 0 and 100',
    ],
    [{ items: { fromManifest: 'not a path' } }, {}, 'steps[2] "each".forEach.items', 'dotted metadata path'],
    [
      { items: { fromStep: 'list' } },
      { timeout: 5, maxRetries: 3 },
      'steps[2] "each".forEach',
      '7 s of backoff',
    ],
  ])('refuses %j %j, naming %s', (forEach, extra, path, message) => {
    expect(() => define(forEach, extra)).toThrow(path);
    expect(() => define(forEach, extra)).toThrow(message);
  });
});

describe('the budget of a fan-out step', () => {
  it('reports per batch and per item what the timeout leaves after the retry backoff', () => {
    const [download] = budgetsOf(datasetBuild.steps);
    expect(download).toEqual({
      step: 'download',
      batchSize: 100,
      maxConcurrency: 40,
      batchSeconds: 60,
      retryWaitSeconds: 7,
      itemSeconds: 0.53,
    });
    expect(describeBudget(download as NonNullable<typeof download>)).toBe(
      'download: a batch of 100 items has 60 s (7 s of it for retry backoff), about 0.53 s per item; 40 batches at once',
    );
    expect(budgetsOf(datasetBuild.steps).map((b) => b.step)).toEqual(['download', 'validate']);
  });
});
