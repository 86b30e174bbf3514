import { FatalStepError } from '../../domain/errors.js';
import { createStepHandler } from '../create-step-handler.js';

type Row = { id: number; value: number };

export const handler = createStepHandler(async (ctx) => {
  // The results of the steps this one depends on, by step name.
  const { fetch } = (await ctx.results()) as { fetch?: { rows: Row[] } };
  if (!fetch) throw new FatalStepError('summarize needs the result of fetch');
  let total = 0;
  let counted = 0;
  for (const row of fetch.rows) {
    // Stop with what is done rather than be stopped by the timeout (the Lambda's time left).
    if (ctx.remainingTimeMs() < 1_000) break;
    total += row.value;
    counted += 1;
  }
  return { total, counted, complete: counted === fetch.rows.length, attempt: ctx.attempt };
});
