import * as z from 'zod/mini';
import { ItemOutcome } from '../contract/fan-out.js';
import { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { WorkflowStatus } from '../domain/statuses.js';
import { HistoryEventView } from '../orchestrator/history-view.js';
import { DefinitionView, ProgressView } from '../orchestrator/views.js';
import { MAX_PAGE_LIMIT } from '../repositories/cursor.js';

/*
 * Every request and response shape of the API, once. The handler validates with these, API Gateway
 * gets its request models from them (z.toJSONSchema) and docs/openapi.json is generated from them.
 */

/**
 * Ids are printable ASCII and short: anything else could never be a stored id, and a DynamoDB key
 * over its size limit would otherwise surface as a server error instead of a 400.
 */
export const Id = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[\x21-\x7e]+$/, 'must be 1-128 printable ASCII characters without spaces'),
  );

const MAX_METADATA_BYTES = 16_384;
const MAX_METADATA_DEPTH = 16;
/** In a `u` regex a paired surrogate is one code point, so this matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;
const wellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/** Why a metadata value could not be stored as a DynamoDB map as is, or undefined when it can. */
const unstorable = (value: unknown, depth: number): string | undefined => {
  if (depth > MAX_METADATA_DEPTH) return `must nest at most ${MAX_METADATA_DEPTH} levels`;
  if (typeof value === 'string') return wellFormed(value) ? undefined : 'strings must be valid Unicode';
  // DynamoDB numbers: 38 digits, magnitude 1e-130..1e125; the SDK refuses unsafe integers.
  if (typeof value === 'number') {
    const ok = value === 0 || (Math.abs(value) <= Number.MAX_SAFE_INTEGER && Math.abs(value) >= 1e-100);
    return ok ? undefined : 'numbers must be 0 or between 1e-100 and 2^53 in magnitude';
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.length === 0 || !wellFormed(key)) return 'keys must be non-empty valid Unicode';
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
};

export const Metadata = z.record(z.string(), z.unknown()).check(
  z.superRefine((value, ctx) => {
    const problem = unstorable(value, 1);
    if (problem) ctx.addIssue({ code: 'custom', message: `metadata ${problem}` });
    else if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES)
      ctx.addIssue({
        code: 'custom',
        message: `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
      });
  }),
  z.describe('Free-form JSON object kept with the workflow'),
);

// ---- requests -----------------------------------------------------------------------------------

export const CreateWorkflowBody = z.strictObject({
  jobId: Id.check(z.describe('The job this workflow builds a dataset for')),
  definition: z
    .string()
    .check(z.minLength(1), z.maxLength(128), z.describe('Name of a workflow definition (GET /definitions)')),
  definitionVersion: z
    .optional(z.string().check(z.minLength(1), z.maxLength(64)))
    .check(z.describe('A version of the definition (GET /definitions lists them); default the current one')),
  metadata: z.optional(Metadata),
  start: z.optional(z.boolean()).check(z.describe('Start the workflow at once')),
});

export const RecoverBody = z.strictObject({
  fromStep: z
    .optional(
      z.union([
        z.number().check(z.int(), z.minimum(0), z.maximum(99)),
        z.string().check(z.minLength(1), z.maxLength(128)),
      ]),
    )
    .check(
      z.describe(
        'Run this step (name or index) and every step that depends on it again, even if done; ' +
          'without it the new run executes only the steps that are not done',
      ),
    ),
  skip: z
    .optional(z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(z.maxLength(100)))
    .check(
      z.describe(
        'Steps to go on without: marked skipped (a skipped dependency counts as met); never a completed step',
      ),
    ),
  reason: z.optional(z.string().check(z.maxLength(500))),
});

/** Lifecycle actions take no input; a body, if sent, must be an empty object. */
export const EmptyBody = z.strictObject({});

export const WorkflowIdParams = z.strictObject({ id: Id.check(z.describe('Workflow id')) });
export const JobIdParams = z.strictObject({ jobId: Id.check(z.describe('Job id')) });

/**
 * An integer query parameter. Coercion alone reads an empty or blank value (`?run=`) as 0; the
 * document says an integer, so that is refused like any other non-number. Preprocessed rather than
 * piped from a string: the OpenAPI input schema stays `integer`.
 */
const queryInteger = (min: number, max: number) =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() === '' ? Number.NaN : value)),
    z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)),
  );

const Limit = z
  .optional(queryInteger(1, MAX_PAGE_LIMIT))
  .check(z.describe(`Page size, 1..${MAX_PAGE_LIMIT} (default 25)`));
const Cursor = z
  .optional(z.string().check(z.minLength(1), z.maxLength(2048)))
  .check(z.describe('The nextCursor of the previous page, unchanged'));

export const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor });

/** A step of a workflow, by name (its definition's step names are shorter and plainer than this). */
export const TaskItemsParams = z.strictObject({
  id: Id.check(z.describe('Workflow id')),
  step: Id.check(z.describe("A fan-out step's name (a step of the workflow's definition with `forEach`)")),
});

export const TaskItemsQuery = z.strictObject({
  status: z
    .optional(z.enum(['succeeded', 'failed']))
    .check(z.describe('Only the items with this outcome (default: every item that has an outcome)')),
  limit: Limit,
  cursor: Cursor,
});

export const HistoryQuery = z.strictObject({
  run: z
    .optional(queryInteger(0, 999))
    .check(
      z.describe(
        'Which run: 0 is the first execution, each recovery starts the next (default: the current run)',
      ),
    ),
  limit: Limit,
  // Step Functions' nextToken is up to 3096 characters: wrapped, ours is longer than other cursors.
  cursor: z
    .optional(z.string().check(z.minLength(1), z.maxLength(8192)))
    .check(z.describe('The nextCursor of the previous page, unchanged (it names its run)')),
});

/** The named listings of workflows (status sets): not to be confused with workflowView(), a record's API shape. */
export const ListView = z.enum(['active', 'failed', 'recoverable']);

export const ListWorkflowsQuery = z
  .strictObject({
    view: z
      .optional(ListView)
      .check(z.describe('active = running|recovering, failed, recoverable = failed with attempts left')),
    status: z.optional(WorkflowStatus),
    jobId: z.optional(Id),
    createdDay: z
      .optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC date YYYY-MM-DD')))
      .check(z.describe('Workflows created on this UTC day')),
    limit: Limit,
    cursor: Cursor,
  })
  .check(
    z.superRefine((query, ctx) => {
      const filters = (['view', 'status', 'jobId', 'createdDay'] as const).filter(
        (k) => query[k] !== undefined,
      );
      // Each combination is one indexed Query; these are the ones an index serves (no Scan: docs/architecture.md, "Storage").
      const served = filters.length <= 1 || (filters.length === 2 && query.status && query.jobId);
      if (filters.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['view'],
          message: 'give one of view, status, jobId or createdDay',
        });
      else if (!served)
        ctx.addIssue({
          code: 'custom',
          path: [filters[1] as string],
          message: `cannot combine ${filters.join(' and ')}: only status with jobId combine`,
        });
    }),
  );

// ---- responses ----------------------------------------------------------------------------------

/**
 * Names a response shape: the OpenAPI document shows it once, under components/schemas. A copy is
 * named, never the schema given (another module's), and through the registry rather than a
 * `z.meta` check, which z.extend would copy onto every extension of it.
 */
const named = <T extends z.core.$ZodType>(schema: T, meta: { id: string; description?: string }): T => {
  const copy = z.clone(schema);
  z.globalRegistry.add(copy, meta);
  return copy;
};

export const WorkflowResponse = named(z.omit(WorkflowRecord, { pauseTokens: true, completedSteps: true }), {
  id: 'Workflow',
});
/** A recovery answers with the workflow and the steps its new run executes. */
export const RecoverResponse = named(
  z.extend(WorkflowResponse, {
    rerun: z
      .array(z.string())
      .check(
        z.describe(
          'The steps the new run executes; every other done step keeps its result and is not run again',
        ),
      ),
  }),
  { id: 'Recovery' },
);
/** A task as the API shows it: without its ledger pointer (its items: GET …/tasks/{step}/items). */
export const TaskResponse = named(
  z.extend(z.omit(TaskRecord, { itemsLedger: true }), {
    id: z.string().check(z.describe('`<workflowId>:<stepIndex>`')),
  }),
  { id: 'Task' },
);

export const ProgressResponse = named(ProgressView, { id: 'Progress' });

/** A page of a listing: its items and the cursor of the next page, if any. */
export const pageSchema = <T extends z.core.$ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export const WorkflowPage = pageSchema(WorkflowResponse);
export const TaskList = z.object({ items: z.array(TaskResponse) });

/** One item's outcome in a fan-out step's ledger, with the item's index in the step's item list. */
export const ItemOutcomeResponse = named(
  z.object({
    index: z.number().check(z.int(), z.minimum(0), z.describe("The item's index in the step's item list")),
    ...ItemOutcome.shape,
    attempts: z
      .number()
      .check(z.int(), z.minimum(0), z.describe('Attempts of the item over every run of the step')),
    result: z
      .optional(z.unknown())
      .check(z.describe("The item's result (at most 2 KB as JSON); absent when its handler returned none")),
    error: z
      .optional(z.object({ type: z.string(), message: z.string() }))
      .check(z.describe("A failed item's last error: its name and message (at most 500 characters)")),
  }),
  { id: 'ItemOutcome' },
);
/** A page of a fan-out step's item outcomes, in index order. */
export const ItemPage = pageSchema(ItemOutcomeResponse);

/** One event of an execution history: AWS's HistoryEvent (orchestrator/history-view.ts). */
export const HistoryEventResponse = named(HistoryEventView, { id: 'HistoryEvent' });
export const WorkflowRun = named(
  z.object({
    run: z.number().check(z.int(), z.minimum(0)),
    executionArn: z.string().check(z.describe('Its Step Functions execution')),
  }),
  { id: 'WorkflowRun' },
);
/** A page of the execution history of one run of a workflow, with the runs it has. */
export const HistoryPage = named(
  z.object({
    workflowId: z.string(),
    runs: z
      .array(WorkflowRun)
      .check(z.describe('Every run of the workflow, the first first; empty until it is started')),
    run: z
      .optional(z.number().check(z.int(), z.minimum(0)))
      .check(z.describe('The run shown; absent when the workflow was never started')),
    executionArn: z.optional(z.string()).check(z.describe("The run's execution")),
    executionFound: z
      .optional(z.boolean())
      .check(
        z.describe(
          'false when Step Functions has no history of the execution: kept 90 days after it ended, none ' +
            'when its start failed (and, locally, none from before the stack restarted)',
        ),
      ),
    events: z.array(HistoryEventResponse).check(z.describe('The events of this page, in order')),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'WorkflowHistory' },
);

export const DefinitionResponse = named(DefinitionView, { id: 'Definition' });
export const DefinitionList = z.object({ items: z.array(DefinitionResponse) });

/**
 * Every error answer, the handler's (http-errors.ts) and API Gateway's own (its gateway responses),
 * as the OpenAPI document shows it; `details` is any JSON value (`{}` in the document).
 */
export const ErrorResponse = named(
  z.object({
    error: z
      .string()
      .check(
        z.describe(
          "The handler's error class (ValidationError, NotFoundError, InvalidTransitionError...) or, " +
            "for API Gateway's own answers, its response type (THROTTLED, ACCESS_DENIED...)",
        ),
      ),
    message: z.string().check(z.describe('What went wrong, for people')),
    details: z
      .optional(z.unknown())
      .check(
        z.describe('Per error class: the field problems of a ValidationError, the ids of a NotFoundError...'),
      ),
  }),
  { id: 'Error', description: 'Every error answer of the API' },
);
