import { describe, expect, it } from 'vitest';
import { datasetBuild } from '../../../state-machines/definitions/dataset-build.js';
import { datasetSmoke } from '../../../state-machines/definitions/dataset-smoke.js';
import { step } from '../../../state-machines/dsl.js';
import { fanOutFanIn, itemPipeline, linearPipeline } from '../../../state-machines/templates.js';
import { defineWorkflow } from '../../../state-machines/validate.js';

const at = (name: string) => `functions/steps/${name}.ts`;
const dependenciesOf = (definition: ReturnType<typeof defineWorkflow>) =>
  Object.fromEntries(
    definition.steps.map((s) => [s.name, s.dependencies.map((i) => definition.steps[i]?.name)]),
  );

describe('templates', () => {
  it('linearPipeline: each step waits for the one before; the task type defaults to the name', () => {
    const definition = defineWorkflow(
      linearPipeline({
        name: 'report',
        steps: [
          { name: 'fetch', handler: at('fetch') },
          { name: 'summarize', handler: at('summarize'), taskType: 'summary' },
          { name: 'publish', handler: at('publish'), maxRetries: 5 },
        ],
      }),
    );
    expect(dependenciesOf(definition)).toEqual({ fetch: [], summarize: ['fetch'], publish: ['summarize'] });
    expect(definition.steps.map((s) => s.taskType)).toEqual(['fetch', 'summary', 'publish']);
    expect(definition.steps[2]?.maxRetries).toBe(5);
  });

  it('fanOutFanIn: the branches wait for the last step before, the first step after waits for every branch', () => {
    const definition = defineWorkflow(
      fanOutFanIn({
        name: 'fork',
        before: [
          { name: 'a', handler: at('a') },
          { name: 'b', handler: at('b') },
        ],
        branches: [
          { name: 'x', handler: at('x') },
          { name: 'y', handler: at('y') },
          { name: 'z', handler: at('z') },
        ],
        after: [
          { name: 'join', handler: at('join') },
          { name: 'end', handler: at('end') },
        ],
      }),
    );
    expect(dependenciesOf(definition)).toEqual({
      a: [],
      b: ['a'],
      x: ['b'],
      y: ['b'],
      z: ['b'],
      join: ['x', 'y', 'z'],
      end: ['join'],
    });
    // With no step before them, the branches start at once.
    const flat = defineWorkflow(
      fanOutFanIn({
        name: 'flat',
        branches: [{ name: 'x', handler: at('x') }],
        after: [{ name: 'j', handler: at('j') }],
      }),
    );
    expect(dependenciesOf(flat)).toEqual({ x: [], j: ['x'] });
  });

  it('itemPipeline: each per-item step fans out over the previous step, package waits for every combine step', () => {
    const definition = defineWorkflow(
      itemPipeline({
        name: 'items',
        list: { name: 'list', handler: at('list') },
        perItem: [
          { name: 'fetch', handler: at('fetch'), forEach: { batchSize: 10 } },
          { name: 'check', handler: at('check') },
        ],
        package: { name: 'package', handler: at('package') },
      }),
    );
    expect(dependenciesOf(definition)).toEqual({
      list: [],
      fetch: ['list'],
      check: ['fetch'],
      package: ['check'],
    });
    expect(definition.steps[1]?.forEach).toMatchObject({ items: { fromStep: 0 }, batchSize: 10 });
    expect(definition.steps[2]?.forEach).toMatchObject({ items: { fromStep: 1 }, batchSize: 100 });
  });

  it('dataset-build built by itemPipeline is the definition it was written as by hand', () => {
    const byHand = defineWorkflow({
      name: 'dataset-build',
      version: '2',
      description: datasetBuild.description,
      maxRecoveryAttempts: 3,
      steps: [
        step({
          name: 'list',
          taskType: 'list',
          handler: 'functions/steps/list.ts',
          maxRetries: 3,
          timeout: 60,
          estimatedDuration: 1,
        }),
        step({
          name: 'download',
          taskType: 'download',
          handler: 'functions/steps/download.ts',
          dependencies: ['list'],
          maxRetries: 3,
          timeout: 60,
          estimatedDuration: 3,
          forEach: {
            items: { fromStep: 'list' },
            batchSize: 100,
            maxConcurrency: 40,
            toleratedFailurePercentage: 5,
          },
        }),
        step({
          name: 'validate',
          taskType: 'validate',
          handler: 'functions/steps/validate.ts',
          dependencies: ['download'],
          timeout: 30,
          estimatedDuration: 1,
          forEach: {
            items: { fromStep: 'download' },
            batchSize: 250,
            maxConcurrency: 40,
            toleratedFailurePercentage: 5,
          },
        }),
        step({
          name: 'deduplicate',
          taskType: 'deduplicate',
          handler: 'functions/steps/deduplicate.ts',
          dependencies: ['validate'],
          timeout: 30,
          estimatedDuration: 2,
        }),
        step({
          name: 'label',
          taskType: 'label',
          handler: 'functions/steps/label.ts',
          dependencies: ['validate'],
          timeout: 30,
          estimatedDuration: 3,
        }),
        step({
          name: 'package',
          taskType: 'package',
          handler: 'functions/steps/package.ts',
          dependencies: ['deduplicate', 'label'],
          timeout: 30,
          estimatedDuration: 1,
        }),
      ],
    });
    const { parameters, ...built } = datasetBuild;
    expect(built).toEqual(byHand);
    expect(parameters).toBe('DatasetParameters');
    // dataset-smoke varies dataset-build's steps: same handlers and dependencies.
    expect(datasetSmoke.steps.map((s) => [s.name, s.handler, s.dependencies])).toEqual(
      datasetBuild.steps.map((s) => [s.name, s.handler, s.dependencies]),
    );
  });
});
