import { type ControlApi, type operations, unwrap, type Workflow } from './client.js';

/*
 * "Recent workflows": those created today or yesterday (UTC), newest first. The API lists workflows
 * by one filter (an indexed Query each, never a Scan), so the recent ones are the pages of
 * `createdDay` = today, then `createdDay` = yesterday. `list` with no filter shows them, and a
 * workflow id prefix is resolved against them.
 */

type ListQuery = NonNullable<operations['listWorkflows']['parameters']['query']>;

const DAY_MS = 86_400_000;
/** The API's largest page. */
const PAGE_MAX = 100;
/** Pages read per day when resolving a prefix: 1,000 workflows a day at most. */
const RESOLVE_PAGES_PER_DAY = 10;

/** The UTC day of a time, `YYYY-MM-DD`, as the API's `createdDay` takes it. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** Today and yesterday, UTC, newest first. */
export const recentDays = (now: Date = new Date()): [string, string] => [
  utcDay(now),
  utcDay(new Date(now.getTime() - DAY_MS)),
];

/** A workflow id in full: a ULID, 26 characters of Crockford base32. */
export const FULL_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

export interface RecentPage {
  readonly items: Workflow[];
  /** Where the listing goes on, as `list` options: the day and the cursor of its next page. */
  readonly next?: { readonly day: string; readonly cursor: string };
}

/**
 * The newest `limit` workflows of today and yesterday: today's first page, topped up from
 * yesterday's when today has fewer. `next` continues the day the page stopped in.
 */
export const recentWorkflows = async (
  api: ControlApi,
  limit: number,
  now = new Date(),
): Promise<RecentPage> => {
  const items: Workflow[] = [];
  for (const day of recentDays(now)) {
    const query: ListQuery = { createdDay: day, limit: limit - items.length };
    const page = await unwrap(api.GET('/workflows', { params: { query } }));
    items.push(...page.items);
    if (page.nextCursor) return { items, next: { day, cursor: page.nextCursor } };
    if (items.length >= limit) break;
  }
  return { items };
};

/** Every workflow of today and yesterday (up to RESOLVE_PAGES_PER_DAY pages a day), newest first. */
const everyRecentWorkflow = async (
  api: ControlApi,
  now: Date,
): Promise<{ items: Workflow[]; capped: boolean }> => {
  const items: Workflow[] = [];
  let capped = false;
  for (const day of recentDays(now)) {
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      if (pages === RESOLVE_PAGES_PER_DAY) {
        capped = true;
        break;
      }
      const query: ListQuery = { createdDay: day, limit: PAGE_MAX, ...(cursor ? { cursor } : {}) };
      const page = await unwrap(api.GET('/workflows', { params: { query } }));
      items.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
  }
  return { items, capped };
};

/** A workflow id prefix that matches no recent workflow, or several. */
export class WorkflowRefError extends Error {
  override name = 'WorkflowRefError';
}

const CANDIDATES_SHOWN = 10;

/**
 * The workflow a command line names: a full id as given; else the one recent workflow whose id
 * starts with it (any case). None, or several, is a WorkflowRefError naming the candidates.
 */
export const resolveWorkflowId = async (api: ControlApi, ref: string, now = new Date()): Promise<string> => {
  if (FULL_ID.test(ref)) return ref;
  if (ref.length === 0) throw new WorkflowRefError('a workflow id (or the start of one) is required');
  const prefix = ref.toUpperCase();
  const { items, capped } = await everyRecentWorkflow(api, now);
  const matches = items.filter((w) => w.workflowId.toUpperCase().startsWith(prefix));
  if (matches.length === 1) return (matches[0] as Workflow).workflowId;
  const [today, yesterday] = recentDays(now);
  if (matches.length === 0)
    throw new WorkflowRefError(
      `no recent workflow (created ${yesterday} or ${today} UTC${capped ? `, first ${RESOLVE_PAGES_PER_DAY * PAGE_MAX} a day` : ''}) ` +
        `has an id starting with "${ref}"; give the full id (list --day YYYY-MM-DD finds older ones)`,
    );
  const shown = matches
    .slice(0, CANDIDATES_SHOWN)
    .map((w) => `  ${w.workflowId}  ${w.status}  ${w.jobId}  ${w.createdAt}`);
  const more = matches.length > CANDIDATES_SHOWN ? [`  … and ${matches.length - CANDIDATES_SHOWN} more`] : [];
  throw new WorkflowRefError(
    [`"${ref}" is ambiguous: ${matches.length} recent workflows start with it:`, ...shown, ...more].join(
      '\n',
    ),
  );
};
