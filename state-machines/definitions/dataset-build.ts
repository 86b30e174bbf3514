import { DatasetParameters } from '../../functions/steps/dataset/parameters.js';
import type { WorkflowSpec } from '../dsl.js';
import { itemPipeline } from '../templates.js';
import { defineWorkflow } from '../validate.js';

const FAN_OUT = { maxConcurrency: 40, toleratedFailurePercentage: 5 } as const;

/**
 * The shipped example: builds a labelled dataset, item by item where the work is per item.
 * list → download (per item) → validate (per item) → { deduplicate, label } → package
 */
export const datasetBuildSpec: WorkflowSpec = itemPipeline({
  name: 'dataset-build',
  version: '2',
  description:
    'List a synthetic dataset, download and validate each item (fan-out), drop duplicates and label it in parallel, then package it.',
  maxRecoveryAttempts: 3,
  parameters: DatasetParameters,
  list: {
    name: 'list',
    handler: 'functions/steps/list.ts',
    maxRetries: 3,
    timeout: 60,
    estimatedDuration: 1,
  },
  perItem: [
    {
      name: 'download',
      handler: 'functions/steps/download.ts',
      maxRetries: 3,
      timeout: 60,
      estimatedDuration: 3,
      forEach: { batchSize: 100, ...FAN_OUT },
    },
    {
      name: 'validate',
      handler: 'functions/steps/validate.ts',
      timeout: 30,
      estimatedDuration: 1,
      forEach: { batchSize: 250, ...FAN_OUT },
    },
  ],
  combine: [
    { name: 'deduplicate', handler: 'functions/steps/deduplicate.ts', timeout: 30, estimatedDuration: 2 },
    { name: 'label', handler: 'functions/steps/label.ts', timeout: 30, estimatedDuration: 3 },
  ],
  package: { name: 'package', handler: 'functions/steps/package.ts', timeout: 30, estimatedDuration: 1 },
});

export const datasetBuild = defineWorkflow(datasetBuildSpec);
