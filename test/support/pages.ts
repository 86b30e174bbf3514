import type { Page } from '../../functions/repositories/cursor.js';

/** Every item of a paginated listing, following nextCursor to the end. */
export const allPages = async <T>(list: (cursor?: string) => Promise<Page<T>>): Promise<T[]> => {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
};
