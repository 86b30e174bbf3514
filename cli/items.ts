import { type ControlApi, type operations, type Schemas, unwrap } from './client.js';
import { table } from './format.js';

/*
 * `items <workflowId> <step>`: a fan-out step's item outcomes (GET /workflows/{id}/tasks/{step}/items),
 * page after page until the last one or until --limit items.
 */

export type ItemOutcome = Schemas['ItemOutcome'];
type ItemsQuery = NonNullable<operations['listTaskItems']['parameters']['query']>;
export type ItemStatus = NonNullable<ItemsQuery['status']>;
export const ITEM_STATUSES: readonly ItemStatus[] = ['failed', 'succeeded'];

export interface ItemsRequest {
  readonly id: string;
  readonly step: string;
  readonly status?: ItemStatus;
  /** At most this many items in all. @default every item */
  readonly limit?: number;
  /** Where an earlier call stopped (its nextCursor). */
  readonly cursor?: string;
}

export interface CollectedItems {
  readonly items: ItemOutcome[];
  /** Set when `limit` stopped the listing before its end: pass it as `cursor` to go on. */
  readonly nextCursor?: string;
}

/** The API's largest page. */
const MAX_PAGE = 100;

/** Follows the cursor from page to page: every item (or the first `limit`), in index order. */
export const collectItems = async (api: ControlApi, request: ItemsRequest): Promise<CollectedItems> => {
  const items: ItemOutcome[] = [];
  let cursor = request.cursor;
  for (;;) {
    const limit = Math.min(MAX_PAGE, (request.limit ?? Number.POSITIVE_INFINITY) - items.length);
    const query: ItemsQuery = {
      limit,
      ...(request.status ? { status: request.status } : {}),
      ...(cursor ? { cursor } : {}),
    };
    const page = await unwrap(
      api.GET('/workflows/{id}/tasks/{step}/items', {
        params: { path: { id: request.id, step: request.step }, query },
      }),
    );
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return { items };
    if (request.limit !== undefined && items.length >= request.limit) return { items, nextCursor: cursor };
  }
};

const MAX_RESULT_CHARS = 60;

/** An item's result as one short line of JSON. */
const resultText = (result: unknown): string => {
  if (result === undefined) return '';
  const text = JSON.stringify(result) ?? '';
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS - 1)}…` : text;
};

/** One row per item: index, status, attempts, and its error or result when any item has one. */
export const itemsListText = (items: readonly ItemOutcome[], step: string, status?: ItemStatus): string => {
  if (items.length === 0) return `no ${status ? `${status} ` : ''}items of step ${step}`;
  const errors = items.some((item) => item.error);
  const results = items.some((item) => item.result !== undefined);
  return table(
    ['index', 'status', 'attempts', ...(errors ? ['error'] : []), ...(results ? ['result'] : [])],
    items.map((item) => [
      String(item.index),
      item.status,
      String(item.attempts),
      ...(errors ? [item.error ? `${item.error.type}: ${item.error.message}` : ''] : []),
      ...(results ? [resultText(item.result)] : []),
    ]),
  );
};
