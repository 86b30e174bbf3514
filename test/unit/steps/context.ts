import { deduplicate } from '../../../functions/steps/dataset/deduplicate.js';
import { downloadItem } from '../../../functions/steps/dataset/download-item.js';
import { label } from '../../../functions/steps/dataset/label.js';
import { listDataset } from '../../../functions/steps/dataset/list.js';
import { packageDataset } from '../../../functions/steps/dataset/package.js';
import type {
  DeduplicateOutput,
  LabelOutput,
  ListOutput,
  PackageOutput,
  ValidateOutput,
} from '../../../functions/steps/dataset/schema.js';
import { validateItem } from '../../../functions/steps/dataset/validate-item.js';
import type { ItemContext, ItemFunction } from '../../../functions/steps/for-each/item-context.js';
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

/** A fan-out step's output as its finish phase builds it when every item succeeds (no ledger here). */
export const fanOut = async (
  work: ItemFunction,
  items: readonly unknown[],
  context: Partial<ItemContext> = {},
): Promise<Record<string, unknown>> => {
  const results = [];
  for (const [index, item] of items.entries()) {
    const result = await work(item, {
      workflowId: 'wf-test',
      jobId: 'job-test',
      step: 'download',
      stepIndex: 1,
      index,
      attempt: 1,
      metadata: {},
      remainingTimeMs: () => 30_000,
      ...context,
    });
    if (result !== undefined && result !== null) results.push(result);
  }
  return {
    items: results,
    total: items.length,
    succeeded: items.length,
    failed: 0,
    dropped: items.length - results.length,
  };
};

export type ChainResults = {
  list: Record<string, unknown>;
  download: Record<string, unknown>;
  validate: Record<string, unknown>;
  deduplicate: Record<string, unknown>;
  label: Record<string, unknown>;
  package: Record<string, unknown>;
};

/** Runs list → download → validate → {deduplicate, label} → package, as the state machine would. */
export const runChain = async (metadata: Record<string, unknown>): Promise<ChainResults> => {
  const at = (step: string, stepIndex: number, results: Record<string, unknown>) =>
    makeContext({ step, stepIndex, metadata, results });
  const listed = await listDataset(at('list', 0, {}));
  const downloaded = await fanOut(downloadItem, listed.items as unknown[], { step: 'download', metadata });
  const validated = await fanOut(validateItem, downloaded.items as unknown[], { step: 'validate', metadata });
  const earlier = { list: listed, download: downloaded, validate: validated };
  const [deduplicated, labelled] = await Promise.all([
    deduplicate(at('deduplicate', 3, earlier)),
    label(at('label', 4, earlier)),
  ]);
  const packaged = await packageDataset(
    at('package', 5, { ...earlier, deduplicate: deduplicated, label: labelled }),
  );
  return {
    list: listed,
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
    list: results.list as ListOutput,
    download: results.download as { items: unknown[]; total: number },
    validate: results.validate as ValidateOutput,
    deduplicate: results.deduplicate as DeduplicateOutput,
    label: results.label as LabelOutput,
    package: results.package as PackageOutput,
  };
};
