import { step, type WorkflowSpec } from '../dsl.js';
import { defineWorkflow } from '../validate.js';

/**
 * The shipped example: builds a labelled dataset, item by item where the work is per item.
 * list → download (per item) → validate (per item) → { deduplicate, label } → package
 */
export const datasetBuildSpec = {
  name: 'dataset-build',
  version: '2',
  description:
    'List a synthetic dataset, download and validate each item (fan-out), drop duplicates and label it in parallel, then package it.',
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
} satisfies WorkflowSpec;

export const datasetBuild = defineWorkflow(datasetBuildSpec);
