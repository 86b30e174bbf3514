import { stepParameters } from '../../parameters/step-parameters.js';
import { createStepHandler } from '../create-step-handler.js';
import { ReportParameters } from './parameters.js';

/** The rows to report on (made up here: row i is worth i). Its result is what `summarize` reads. */
export const handler = createStepHandler(async (ctx) => {
  const { report } = stepParameters(ctx, ReportParameters);
  return { rows: Array.from({ length: report.rows }, (_, id) => ({ id, value: id })) };
});
