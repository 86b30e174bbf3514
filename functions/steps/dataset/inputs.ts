import * as z from 'zod/mini';
import { FatalStepError } from '../../domain/errors.js';
import type { StepContext } from '../step-context.js';
import { describeIssues } from './schema.js';

/**
 * The output of an earlier step, checked against its schema. A missing or malformed result means
 * the workflow's data is broken (wrong DAG, lost record): retrying cannot fix it, so it is fatal.
 */
export const requireResult = async <S extends z.core.$ZodType>(
  ctx: StepContext,
  from: string,
  schema: S,
): Promise<z.output<S>> => {
  const raw = (await ctx.results())[from];
  if (raw === undefined || raw === null) {
    throw new FatalStepError(`${ctx.step}: result of step "${from}" is missing`);
  }
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) {
    throw new FatalStepError(
      `${ctx.step}: result of step "${from}" is malformed: ${describeIssues(parsed.error, from)}`,
    );
  }
  return parsed.data;
};
