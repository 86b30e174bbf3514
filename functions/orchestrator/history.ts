import { GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { InvalidCursorError, ValidationError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { decodeCursor, encodeCursor, pageLimit } from '../repositories/cursor.js';
import { type HistoryEventView, historyEventView } from './history-view.js';

/*
 * GET /workflows/{id}/history: the Step Functions execution history of one run of a workflow,
 * read from Step Functions itself (GetExecutionHistory), page by page. No copy of it is kept.
 */

export interface HistoryInput {
  /** Which run (0 = the first execution); default: the current one. */
  readonly run?: number;
  readonly limit?: number;
  /** The `nextCursor` of the previous page: it names its run too. */
  readonly cursor?: string;
}

export interface WorkflowRun {
  readonly run: number;
  readonly executionArn: string;
}

export interface WorkflowHistory {
  readonly workflowId: string;
  /** Every run the workflow has had, the first (0) first. */
  readonly runs: WorkflowRun[];
  /** The run shown; absent when the workflow has never been started. */
  readonly run?: number;
  readonly executionArn?: string;
  /** False when Step Functions has no execution by that ARN (expired, never started, or lost). */
  readonly executionFound?: boolean;
  readonly events: HistoryEventView[];
  readonly nextCursor?: string;
}

/** The runs of a workflow: its execution ARNs in the order they started (a legacy record: its one). */
export const runsOf = (workflow: WorkflowRecord): WorkflowRun[] => {
  const arns = [...new Set(workflow.executionArns ?? [])];
  if (workflow.executionArn && !arns.includes(workflow.executionArn)) arns.push(workflow.executionArn);
  return arns.map((executionArn, run) => ({ run, executionArn }));
};

const listingOf = (workflowId: string) => `workflows.history:${workflowId}`;

interface Position {
  readonly run: number;
  readonly token: string;
}

/** Our cursor: Step Functions' nextToken, with the run it pages, bound to this workflow. */
export const encodeHistoryCursor = (workflowId: string, position: Position): string =>
  encodeCursor(listingOf(workflowId), undefined, { r: position.run, t: position.token });

export const decodeHistoryCursor = (workflowId: string, cursor: string): Position => {
  const { key, extra } = decodeCursor(cursor, listingOf(workflowId));
  const { r, t } = extra;
  if (key || typeof t !== 'string' || t === '' || typeof r !== 'number' || !Number.isInteger(r) || r < 0)
    throw new InvalidCursorError();
  return { run: r, token: t };
};

const runsText = (runs: readonly WorkflowRun[]) =>
  runs.length === 0 ? 'it has not been started' : `its runs are 0..${runs.length - 1}`;

/** Which run a request reads, and from where: its `run`, its cursor's, else the current run. */
const selectRun = (workflow: WorkflowRecord, runs: readonly WorkflowRun[], input: HistoryInput) => {
  const position =
    input.cursor !== undefined ? decodeHistoryCursor(workflow.workflowId, input.cursor) : undefined;
  if (position && (position.run >= runs.length || (input.run !== undefined && input.run !== position.run)))
    throw new InvalidCursorError();
  if (input.run !== undefined && input.run >= runs.length) {
    const message = `run ${input.run} does not exist: ${runsText(runs)}`;
    throw new ValidationError(message, [{ path: 'query.run', rule: 'known-run', message }]);
  }
  const current = runs.findIndex((r) => r.executionArn === workflow.executionArn);
  const run = input.run ?? position?.run ?? (current >= 0 ? current : runs.length - 1);
  return { run: runs[run] as WorkflowRun, token: position?.token };
};

/** One page of the history of one run of the workflow (its events in order, as AWS gives them). */
export const workflowHistory = async (
  sfn: SFNClient,
  workflow: WorkflowRecord,
  input: HistoryInput = {},
): Promise<WorkflowHistory> => {
  const { workflowId } = workflow;
  const limit = pageLimit(input.limit);
  const runs = runsOf(workflow);
  if (runs.length === 0) {
    if (input.cursor !== undefined) throw new InvalidCursorError();
    if (input.run !== undefined) selectRun(workflow, runs, input);
    return { workflowId, runs, events: [] };
  }
  const { run, token } = selectRun(workflow, runs, input);
  const shown = { workflowId, runs, run: run.run, executionArn: run.executionArn };
  try {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: run.executionArn,
        maxResults: limit,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    const nextToken = page.nextToken;
    return {
      ...shown,
      executionFound: true,
      events: (page.events ?? []).map(historyEventView),
      ...(nextToken
        ? { nextCursor: encodeHistoryCursor(workflowId, { run: run.run, token: nextToken }) }
        : {}),
    };
  } catch (error) {
    const name = (error as Error).name;
    // A token Step Functions does not take (expired after 24 hours, or not its own): a bad cursor.
    if (name === 'InvalidToken') throw new InvalidCursorError();
    // History is kept 90 days after an execution ends; a start that failed left an ARN with none.
    if (name === 'ExecutionDoesNotExist') return { ...shown, executionFound: false, events: [] };
    throw error;
  }
};
