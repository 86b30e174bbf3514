import { type HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';

/*
 * A Step Functions execution history event as the API shows it: AWS's HistoryEvent (the shape
 * GetExecutionHistory answers, every `*EventDetails` of it), with the timestamp as ISO text and each
 * data text (input, output, parameters, cause) cut to DATA_LIMIT bytes, so that a page of events
 * stays far below a Lambda answer's 6 MB whatever the states carried.
 */

/** The most UTF-8 bytes of one data text an event shows: beyond, it is cut (`truncated: true`). */
export const DATA_LIMIT = 8192;

const DataDetails = z
  .object({ truncated: z.optional(z.boolean()) })
  .check(
    z.describe(
      `true when the data text beside it was cut: by Step Functions, or by this API to ${DATA_LIMIT} bytes`,
    ),
    z.meta({ id: 'HistoryEventDataDetails' }),
  );
const data = (what: string, flagged = true) =>
  z
    .optional(z.string())
    .check(
      z.describe(`${what}, as JSON text: at most ${DATA_LIMIT} bytes${flagged ? ' (see its *Details)' : ''}`),
    );
const Failure = z
  .object({
    error: z.optional(z.string()).check(z.describe('The error name, e.g. States.TaskFailed')),
    cause: z.optional(z.string()).check(z.describe(`Its cause (at most ${DATA_LIMIT} bytes)`)),
  })
  .check(z.meta({ id: 'HistoryEventFailure' }));
const taskResource = {
  resourceType: z.string().check(z.describe('The integration: lambda, dynamodb, events, states...')),
  resource: z.string().check(z.describe('Its action: invoke, updateItem, putEvents...')),
};
const TaskFailure = z
  .object({ ...taskResource, ...Failure.shape })
  .check(z.meta({ id: 'HistoryEventTaskFailure' }));
const TaskCredentials = z.object({ roleArn: z.optional(z.string()) });
const MapIteration = z
  .object({ name: z.optional(z.string()), index: z.optional(z.int()) })
  .check(z.meta({ id: 'HistoryEventMapIteration' }));
const Output = z.object({ output: data('The output'), outputDetails: z.optional(DataDetails) });

/** Every `*EventDetails` of AWS's HistoryEvent (those of @aws-sdk/client-sfn's model), by key. */
const DETAILS = {
  activityFailedEventDetails: Failure,
  activityScheduleFailedEventDetails: Failure,
  activityScheduledEventDetails: z.object({
    resource: z.string(),
    input: data('The input'),
    inputDetails: z.optional(DataDetails),
    timeoutInSeconds: z.optional(z.number()),
    heartbeatInSeconds: z.optional(z.number()),
  }),
  activityStartedEventDetails: z.object({ workerName: z.optional(z.string()) }),
  activitySucceededEventDetails: Output,
  activityTimedOutEventDetails: Failure,
  taskFailedEventDetails: TaskFailure,
  taskScheduledEventDetails: z.object({
    ...taskResource,
    region: z.string(),
    parameters: data('The effective parameters', false),
    timeoutInSeconds: z.optional(z.number()),
    heartbeatInSeconds: z.optional(z.number()),
    taskCredentials: z.optional(TaskCredentials),
  }),
  taskStartFailedEventDetails: TaskFailure,
  taskStartedEventDetails: z.object(taskResource),
  taskSubmitFailedEventDetails: TaskFailure,
  taskSubmittedEventDetails: z.object({ ...taskResource, ...Output.shape }),
  taskSucceededEventDetails: z.object({ ...taskResource, ...Output.shape }),
  taskTimedOutEventDetails: TaskFailure,
  executionFailedEventDetails: Failure,
  executionStartedEventDetails: z.object({
    input: data('The input'),
    inputDetails: z.optional(DataDetails),
    roleArn: z.optional(z.string()),
    stateMachineAliasArn: z.optional(z.string()),
    stateMachineVersionArn: z.optional(z.string()),
  }),
  executionSucceededEventDetails: Output,
  executionAbortedEventDetails: Failure,
  executionTimedOutEventDetails: Failure,
  executionRedrivenEventDetails: z.object({ redriveCount: z.optional(z.int()) }),
  mapStateStartedEventDetails: z.object({ length: z.optional(z.int()) }),
  mapIterationStartedEventDetails: MapIteration,
  mapIterationSucceededEventDetails: MapIteration,
  mapIterationFailedEventDetails: MapIteration,
  mapIterationAbortedEventDetails: MapIteration,
  lambdaFunctionFailedEventDetails: Failure,
  lambdaFunctionScheduleFailedEventDetails: Failure,
  lambdaFunctionScheduledEventDetails: z.object({
    resource: z.string().check(z.describe("The Lambda function's ARN")),
    input: data('The payload'),
    inputDetails: z.optional(DataDetails),
    timeoutInSeconds: z.optional(z.number()),
    taskCredentials: z.optional(TaskCredentials),
  }),
  lambdaFunctionStartFailedEventDetails: Failure,
  lambdaFunctionSucceededEventDetails: Output,
  lambdaFunctionTimedOutEventDetails: Failure,
  stateEnteredEventDetails: z.object({
    name: z.string().check(z.describe("The state's name")),
    input: data('The input'),
    inputDetails: z.optional(DataDetails),
  }),
  stateExitedEventDetails: z.object({
    name: z.string().check(z.describe("The state's name")),
    ...Output.shape,
    assignedVariables: z
      .optional(z.record(z.string(), z.string()))
      .check(z.describe(`Variables assigned (left out beyond ${DATA_LIMIT} bytes in all)`)),
    assignedVariablesDetails: z.optional(DataDetails),
  }),
  mapRunStartedEventDetails: z.object({ mapRunArn: z.optional(z.string()) }),
  mapRunFailedEventDetails: Failure,
  mapRunRedrivenEventDetails: z.object({
    mapRunArn: z.optional(z.string()),
    redriveCount: z.optional(z.int()),
  }),
  evaluationFailedEventDetails: z.object({
    ...Failure.shape,
    location: z.optional(z.string()),
    state: z.string(),
  }),
} as const;

type DetailsKey = keyof typeof DETAILS;
const DETAILS_KEYS = Object.keys(DETAILS) as DetailsKey[];

export const HistoryEventView = z.object({
  id: z.int().check(z.minimum(1), z.describe('1, 2, 3... in the order of the history')),
  previousEventId: z
    .optional(z.int().check(z.minimum(0)))
    .check(z.describe('The event before this one in its branch of the execution (0 for the first)')),
  timestamp: z.iso.datetime(),
  type: z.enum(HistoryEventType).check(z.describe("Step Functions' event type")),
  ...Object.fromEntries(DETAILS_KEYS.map((key) => [key, z.optional(DETAILS[key])])),
}) as z.ZodMiniObject<
  {
    id: z.ZodMiniInt;
    previousEventId: z.ZodMiniOptional<z.ZodMiniInt>;
    timestamp: z.ZodMiniISODateTime;
    type: z.ZodMiniEnum<typeof HistoryEventType>;
  } & { [K in DetailsKey]: z.ZodMiniOptional<(typeof DETAILS)[K]> }
>;
export type HistoryEventView = z.input<typeof HistoryEventView>;

/** The text cut to at most `limit` UTF-8 bytes (never in the middle of a character), or undefined if it fits. */
export const cutText = (text: string, limit = DATA_LIMIT): string | undefined => {
  if (Buffer.byteLength(text) <= limit) return undefined;
  const cut = Buffer.from(text).subarray(0, limit).toString('utf8');
  // A character split at the limit decodes as U+FFFD: dropped.
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
};

/** The data texts of a details object, with the *Details flag that says each was cut. */
const DATA_FIELDS: readonly [field: string, flag?: string][] = [
  ['input', 'inputDetails'],
  ['output', 'outputDetails'],
  ['parameters'],
  ['cause'],
];

const cutDetails = (details: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...details };
  for (const [field, flag] of DATA_FIELDS) {
    const value = out[field];
    if (typeof value !== 'string') continue;
    const cut = cutText(value);
    if (cut === undefined) continue;
    out[field] = cut;
    if (flag) out[flag] = { ...(out[flag] as object | undefined), truncated: true };
  }
  const assigned = out.assignedVariables;
  if (assigned && Buffer.byteLength(JSON.stringify(assigned)) > DATA_LIMIT) {
    delete out.assignedVariables;
    out.assignedVariablesDetails = { truncated: true };
  }
  return out;
};

/** One event of GetExecutionHistory as the API answers it: AWS's fields, the timestamp as ISO text. */
export const historyEventView = (event: HistoryEvent): HistoryEventView => {
  const view: Record<string, unknown> = {
    id: event.id,
    ...(event.previousEventId !== undefined ? { previousEventId: event.previousEventId } : {}),
    timestamp: (event.timestamp ?? new Date(0)).toISOString(),
    type: event.type,
  };
  for (const key of DETAILS_KEYS) {
    const details = event[key];
    if (details) view[key] = cutDetails(details as Record<string, unknown>);
  }
  return view as HistoryEventView;
};
