import { createHash } from 'node:crypto';
import { MANIFESTS_KEY_PREFIX } from '../../config/environment.js';
import type { FanOutStepEvent } from '../../contract/fan-out.js';
import { FatalStepError } from '../../domain/errors.js';
import type { FanOutDeps } from './deps.js';

/** A fan-out step's items, and the identity of that list: a new list starts a new ledger. */
export interface SourceItems {
  readonly items: readonly unknown[];
  readonly generation: string;
}

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** `a.b.c` of an object, or undefined. */
const atPath = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
      value,
    );

/** The `items` array of the source step's result: the step must have completed with one. */
const fromStep = async (deps: FanOutDeps, event: FanOutStepEvent, index: number): Promise<SourceItems> => {
  const name = event.stepNames[index] ?? `#${index}`;
  const task = await deps.repos.tasks.get(event.workflowId, index);
  if (task?.status !== 'completed')
    throw new FatalStepError(`${event.step} fans out over the items of "${name}", which has not completed`);
  const result = await deps.results.load(task);
  if (!Array.isArray(result.items))
    throw new FatalStepError(
      `${event.step} fans out over the items of "${name}", but its result has no "items" array`,
    );
  // The producing attempt names the list: a re-run of the source is a new list.
  const owner = `${task.runToken ?? ''}/${task.completedAt ?? ''}/${task.resultObject?.key ?? ''}`;
  return { items: result.items, generation: `s${shortHash(owner)}` };
};

/** A manifest in the app's bucket under `manifests/`, named by the workflow's metadata. */
const fromManifest = async (
  deps: FanOutDeps,
  event: FanOutStepEvent,
  metadata: Readonly<Record<string, unknown>>,
  path: string,
): Promise<SourceItems> => {
  const named = atPath(metadata, path);
  const bucket = deps.results.bucketName;
  const key =
    typeof named === 'string' ? named.replace(new RegExp(`^s3://${bucket.replace(/\W/g, '\\$&')}/`), '') : '';
  if (!key.startsWith(MANIFESTS_KEY_PREFIX) || key.includes('..'))
    throw new FatalStepError(
      `${event.step}: metadata.${path} must name an item manifest under s3://${bucket}/${MANIFESTS_KEY_PREFIX} (got ${JSON.stringify(named ?? null)})`,
    );
  const items = await deps.results.loadItems(key);
  return { items, generation: `m${shortHash(key)}` };
};

export const sourceItems = (
  deps: FanOutDeps,
  event: FanOutStepEvent,
  metadata: Readonly<Record<string, unknown>>,
): Promise<SourceItems> => {
  const source = event.forEach.items;
  return 'fromStep' in source
    ? fromStep(deps, event, source.fromStep)
    : fromManifest(deps, event, metadata, source.fromManifest);
};
