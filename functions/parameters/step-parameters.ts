import * as z from 'zod/mini';
import { FatalStepError } from '../domain/errors.js';
import type { StepContext } from '../steps/step-context.js';
import { parameterIssues } from './parse.js';

/**
 * A step's typed view of its workflow's parameters: `metadata` (checked at create and stored parsed)
 * read through the definition's schema, without the orchestrator's own keys (autoRecovery,
 * tolerance, faults). Metadata that does not fit, a workflow created before the definition declared
 * these parameters, fails the step for good: no retry would change it.
 */
export const stepParameters = <S extends z.core.$ZodType>(
  ctx: Pick<StepContext, 'step' | 'metadata'>,
  schema: S,
): z.output<S> => {
  const { autoRecovery: _recovery, tolerance: _tolerance, faults: _faults, ...own } = ctx.metadata;
  const parsed = z.safeParse(schema, own);
  if (parsed.success) return parsed.data;
  const problems = parameterIssues(parsed.error).map((issue) => `${issue.path}: ${issue.message}`);
  throw new FatalStepError(
    `${ctx.step}: metadata does not fit the definition's parameters: ${problems.join('; ')}`,
  );
};
