import { ReportParameters } from '../../functions/steps/report/parameters.js';
import { linearPipeline } from '../templates.js';
import { defineWorkflow } from '../validate.js';
export const report = defineWorkflow(
  linearPipeline({
    name: 'report',
    description: 'Fetch rows, sum them, publish the total.',
    parameters: ReportParameters,
    steps: [
      { name: 'fetch', handler: 'functions/steps/report/fetch.ts', timeout: 60 },
      { name: 'summarize', handler: 'functions/steps/report/summarize.ts', estimatedDuration: 2 },
      { name: 'publish', handler: 'functions/steps/report/publish.ts', maxRetries: 5 },
    ],
  }),
);
