import { deduplicate } from '../../../functions/steps/dataset/deduplicate.js';
import { download } from '../../../functions/steps/dataset/download.js';
import { label } from '../../../functions/steps/dataset/label.js';
import { packageDataset } from '../../../functions/steps/dataset/package.js';
import type {
  DeduplicateOutput,
  DownloadOutput,
  LabelOutput,
  PackageOutput,
  ValidateOutput,
} from '../../../functions/steps/dataset/schema.js';
import { validate } from '../../../functions/steps/dataset/validate.js';
import type { StepContext } from '../../../functions/steps/step-context.js';

/**
 * A StepContext as the middleware would build it; every field can be overridden, and `results` is
 * given as the dependencies' results themselves.
 */
export const makeContext = ({
  results = {},
  ...overrides
}: Partial<Omit<StepContext, 'results'>> & { results?: Record<string, unknown> } = {}): StepContext => ({
  workflowId: 'wf-test',
  jobId: 'job-test',
  step: 'download',
  stepIndex: 0,
  attempt: 1,
  metadata: {},
  results: async () => results,
  remainingTimeMs: () => 30_000,
  ...overrides,
});

export type ChainResults = {
  download: Record<string, unknown>;
  validate: Record<string, unknown>;
  deduplicate: Record<string, unknown>;
  label: Record<string, unknown>;
  package: Record<string, unknown>;
};

/** Runs download → validate → {deduplicate, label} → package, as the state machine would. */
export const runChain = async (metadata: Record<string, unknown>): Promise<ChainResults> => {
  const at = (step: string, stepIndex: number, results: Record<string, unknown>) =>
    makeContext({ step, stepIndex, metadata, results });
  const downloaded = await download(at('download', 0, {}));
  const validated = await validate(at('validate', 1, { download: downloaded }));
  const earlier = { download: downloaded, validate: validated };
  const [deduplicated, labelled] = await Promise.all([
    deduplicate(at('deduplicate', 2, earlier)),
    label(at('label', 3, earlier)),
  ]);
  const packaged = await packageDataset(
    at('package', 4, { ...earlier, deduplicate: deduplicated, label: labelled }),
  );
  return {
    download: downloaded,
    validate: validated,
    deduplicate: deduplicated,
    label: labelled,
    package: packaged,
  };
};

/** The chain's outputs with their step types (the StepFunction contract returns plain records). */
export const runTypedChain = async (metadata: Record<string, unknown>) => {
  const results = await runChain(metadata);
  return {
    download: results.download as DownloadOutput,
    validate: results.validate as ValidateOutput,
    deduplicate: results.deduplicate as DeduplicateOutput,
    label: results.label as LabelOutput,
    package: results.package as PackageOutput,
  };
};
