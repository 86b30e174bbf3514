import { stepParameters } from '../../parameters/step-parameters.js';
import { createStepHandler } from '../create-step-handler.js';
import { ReportParameters } from './parameters.js';

export const handler = createStepHandler(async (ctx) => {
  const { report } = stepParameters(ctx, ReportParameters);
  const { summarize } = (await ctx.results()) as { summarize: { total: number; counted: number } };
  return { line: `${report.title}: ${summarize.counted} rows, total ${summarize.total}` };
});
