import { step, type WorkflowSpec } from '../dsl.js';
import { defineWorkflow } from '../validate.js';

/**
 * The shipped example: builds a small labelled dataset.
 * download → validate → { deduplicate, label } → package
 */
export const datasetBuildSpec = {
  name: 'dataset-build',
  version: '1',
  description:
    'Generate a synthetic dataset, validate it, drop duplicates and label it in parallel, then package it.',
  maxRecoveryAttempts: 3,
  steps: [
    step({
      name: 'download',
      taskType: 'download',
      handler: 'functions/steps/download.ts',
      maxRetries: 3,
      timeout: 60,
      estimatedDuration: 2,
    }),
    step({
      name: 'validate',
      taskType: 'validate',
      handler: 'functions/steps/validate.ts',
      dependencies: ['download'],
      timeout: 30,
      estimatedDuration: 1,
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
