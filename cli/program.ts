import { Command, InvalidArgumentError, Option } from 'commander';
import { WORKFLOW_STATUSES } from '../functions/domain/statuses.js';
import packageJson from '../package.json' with { type: 'json' };
import {
  type ApiAuth,
  type ControlApi,
  createApiClient,
  type operations,
  type Progress,
  unwrap,
  type Workflow,
} from './client.js';
import { addConsoleCommand } from './console.js';
import { definitionsText, listText, statusText } from './format.js';
import { collectHistory, historyText } from './history.js';
import { collectItems, ITEM_STATUSES, type ItemStatus, itemsListText } from './items.js';
import { recentDays, recentWorkflows, resolveWorkflowId } from './recent.js';
import { type Param, parseParam, submitMetadata } from './submit.js';
import { watchWorkflows } from './watch.js';

/** The local stack's address (`npm start`): the default target. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Exit codes (README, "Command line"). */
export const EXIT = {
  ok: 0,
  /** The API answered an error, could not be reached, or a workflow id matched none or several. */
  error: 1,
  /** `watch`: a workflow ended failed or cancelled. */
  notCompleted: 2,
  /** Unknown command or option, a missing or bad argument (sysexits' EX_USAGE). */
  usage: 64,
} as const;

export interface ProgramIo {
  /** Answers: tables, ids, JSON. */
  readonly out: (text: string) => void;
  /** Errors and usage. @default out */
  readonly err?: (text: string) => void;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** The clock: "today" for recent workflows, the ETA's time left. @default new Date() */
  readonly now?: () => Date;
}

/** What a command line leaves behind besides its output: its exit code when it did not throw. */
export interface ProgramState {
  exitCode: number;
}

type ListQuery = NonNullable<operations['listWorkflows']['parameters']['query']>;

// The statuses come from the runtime's one list; checked against the API document's both ways.
const _listed: readonly Workflow['status'][] = WORKFLOW_STATUSES;
type Missing = Exclude<Workflow['status'], (typeof WORKFLOW_STATUSES)[number]>;
const _everyStatus: [Missing] extends [never] ? true : Missing = true;

interface GlobalOptions {
  url: string;
  apiKey?: string;
  iam?: boolean;
  region?: string;
  json?: boolean;
}

const json = (value: string): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('must be a JSON object, e.g. \'{"dataset":{"items":100}}\'');
};

/** A step index stays a number for the API; anything else is a step name. */
const stepRef = (value: string): number | string => (/^\d+$/.test(value) ? Number(value) : value);

const runNumber = (value: string): number => {
  if (/^\d+$/.test(value)) return Number(value);
  throw new InvalidArgumentError('must be a run number: 0 for the first run, 1 for the next...');
};

const wholeNumber = (value: string): number => {
  if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
  throw new InvalidArgumentError('must be a whole number, e.g. 25');
};

const HELP_AFTER = `
Workflow ids: the full id, or its start when that is unique among the recent
workflows (created today or yesterday, UTC).

Exit codes: 0 done; 1 the API answered an error, could not be reached, or a
workflow id matched none or several; 2 watch: a workflow failed or was
cancelled; 64 usage error (unknown command or option, bad argument).`;

/**
 * The `job-orchestrator` command: every lifecycle call of the control API from a terminal. Pure
 * HTTP: it works against the local stack and any deployed stage alike.
 */
export const buildProgram = (io: ProgramIo, state: ProgramState = { exitCode: EXIT.ok }): Command => {
  const err = io.err ?? io.out;
  const now = io.now ?? (() => new Date());
  const program = new Command('job-orchestrator')
    .description('Drive job-orchestrator workflows over its HTTP API')
    .version(packageJson.version, '-V, --version')
    .option(
      '--url <url>',
      'API base URL (env JOB_ORCHESTRATOR_URL)',
      process.env.JOB_ORCHESTRATOR_URL ?? DEFAULT_URL,
    )
    .option(
      '--api-key <key>',
      'API key, for stacks deployed with apiAuth=apiKey (env JOB_ORCHESTRATOR_API_KEY)',
    )
    .option('--iam', 'sign requests with SigV4 (default credential chain), for apiAuth=iam stacks')
    .option('--region <region>', 'region for SigV4 (default: from the URL, else AWS_REGION)')
    .option('--json', "print the API's answers as JSON")
    .addHelpText('after', HELP_AFTER)
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) })
    .exitOverride()
    .showHelpAfterError();

  let connection: { api: ControlApi; url: string; auth: ApiAuth; options: GlobalOptions } | undefined;
  const client = () => {
    if (connection) return connection;
    const options = program.opts<GlobalOptions>();
    const key = options.apiKey ?? process.env.JOB_ORCHESTRATOR_API_KEY;
    const auth: ApiAuth = key
      ? { kind: 'apiKey', key }
      : options.iam
        ? { kind: 'iam', ...(options.region ? { region: options.region } : {}) }
        : { kind: 'none' };
    connection = {
      api: createApiClient({ url: options.url, auth, ...(io.fetch ? { fetch: io.fetch } : {}) }),
      url: options.url,
      auth,
      options,
    };
    return connection;
  };
  const resolve = (ref: string) => resolveWorkflowId(client().api, ref, now());
  const printJson = (value: unknown) => io.out(JSON.stringify(value, null, 2));
  /** Prints a workflow answer: JSON when asked, else its id and status. */
  const printWorkflow = (workflow: Workflow, options: GlobalOptions) =>
    options.json ? printJson(workflow) : io.out(`${workflow.workflowId}  ${workflow.status}`);

  program
    .command('definitions')
    .description('The workflow definitions the API runs: names, versions and steps')
    .action(async () => {
      const { api, options } = client();
      const answer = await unwrap(api.GET('/definitions'));
      if (options.json) printJson(answer);
      else io.out(definitionsText(answer.items));
    });

  program
    .command('submit')
    .description('Create a workflow for a job (and start it with --start)')
    .argument('<definition>', 'definition name (see `definitions`)')
    .argument('<jobId>', 'job the workflow belongs to')
    .option('--metadata <json>', 'metadata object given to the steps', json)
    .option(
      '--param <path=value>',
      'one parameter, e.g. dataset.items=500 (a JSON value, else text); repeatable, over --metadata',
      parseParam,
    )
    .option(
      '--definition-version <version>',
      'run on this version of the definition (see `definitions`), not the current one',
    )
    .option('--start', 'start it at once')
    .action(
      async (
        definition: string,
        jobId: string,
        opts: {
          metadata?: Record<string, unknown>;
          param?: Param[];
          definitionVersion?: string;
          start?: boolean;
        },
        command: Command,
      ) => {
        // Checked against the definition's parameters before anything is sent (cli/submit.ts).
        const metadata = submitMetadata(command, definition, opts, EXIT.usage);
        const { api, options } = client();
        const body = {
          definition,
          ...(opts.definitionVersion === undefined ? {} : { definitionVersion: opts.definitionVersion }),
          jobId,
          ...(metadata ? { metadata } : {}),
          start: !!opts.start,
        };
        printWorkflow(await unwrap(api.POST('/workflows', { body })), options);
      },
    );

  program
    .command('status')
    .description('A workflow: progress bar, ETA and task table')
    .argument('<workflowId>', 'full id, or a unique start of one')
    .action(async (ref: string) => {
      const { api, options } = client();
      const params = { path: { id: await resolve(ref) } };
      const [workflow, progress, tasks] = await Promise.all([
        unwrap(api.GET('/workflows/{id}', { params })),
        unwrap(api.GET('/workflows/{id}/progress', { params })),
        unwrap(api.GET('/workflows/{id}/tasks', { params })),
      ]);
      if (options.json) printJson({ workflow, progress, tasks: tasks.items });
      else io.out(statusText(workflow, progress, tasks.items, now()));
    });

  program
    .command('watch')
    .description('Follow workflows until each is completed, failed or cancelled')
    .argument('<workflowIds...>', 'full ids, or unique starts of them')
    .option('--interval <ms>', 'poll interval', wholeNumber, 500)
    .action(async (refs: string[], opts: { interval: number }) => {
      const { api, url, options } = client();
      const ids: string[] = [];
      for (const ref of refs) ids.push(await resolve(ref));
      const last = new Map<string, Progress>();
      const progressOf = async (id: string) => {
        const progress = await unwrap(api.GET('/workflows/{id}/progress', { params: { path: { id } } }));
        last.set(id, progress);
        return progress;
      };
      // With --json, no live lines: the last progress answer of each workflow once all are done.
      const silent = { write: () => true, isTTY: false };
      const done = await watchWorkflows(
        url,
        ids,
        opts.interval,
        progressOf,
        options.json ? { out: silent } : {},
      );
      if (options.json) printJson(ids.map((id) => last.get(id)));
      // A script waiting on `watch` learns the outcome from the exit code.
      if (done.some((s) => s.status !== 'completed')) state.exitCode = EXIT.notCompleted;
    });

  program
    .command('items')
    .description(
      "A fan-out step's item outcomes in index order (index, status, attempts, error, result), every page",
    )
    .argument('<workflowId>', 'full id, or a unique start of one')
    .argument('<step>', 'the fan-out step, by name')
    .addOption(new Option('--status <status>', 'only the items with this outcome').choices(ITEM_STATUSES))
    .option('--limit <n>', 'at most this many items (default: every one)', wholeNumber)
    .option('--cursor <cursor>', 'go on where a --limit stopped: as it printed it, with the same --status')
    .action(
      async (ref: string, step: string, opts: { status?: ItemStatus; limit?: number; cursor?: string }) => {
        const { api, options } = client();
        const answer = await collectItems(api, { id: await resolve(ref), step, ...opts });
        if (options.json) return printJson(answer);
        io.out(itemsListText(answer.items, step, opts.status));
        if (answer.nextCursor) io.out(`more: --cursor ${answer.nextCursor}`);
      },
    );

  program
    .command('history')
    .description(
      "A run's Step Functions execution history as a timeline: time, event, state, resource, errors and retries",
    )
    .argument('<workflowId>', 'full id, or a unique start of one')
    .option('--run <n>', 'which run: 0 is the first (default: the current run)', runNumber)
    .action(async (ref: string, opts: { run?: number }) => {
      const { api, options } = client();
      const history = await collectHistory(api, { id: await resolve(ref), ...opts });
      if (options.json) printJson(history);
      else io.out(historyText(history, now()));
    });

  for (const [verb, summary] of [
    ['start', 'Start a pending workflow'],
    ['pause', 'Pause at the next step boundary'],
    ['resume', 'Resume a paused workflow'],
    ['cancel', 'Cancel now'],
  ] as const) {
    const path = `/workflows/{id}/${verb}` as const;
    program
      .command(verb)
      .description(summary)
      .argument('<workflowId>', 'full id, or a unique start of one')
      .action(async (ref: string) => {
        const { api, options } = client();
        const id = await resolve(ref);
        printWorkflow(await unwrap(api.POST(path, { params: { path: { id } } })), options);
      });
  }

  program
    .command('recover')
    .description(
      'Run a failed workflow again: the steps not done, plus --from-step and its dependents, minus --skip',
    )
    .argument('<workflowId>', 'full id, or a unique start of one')
    .option(
      '--from-step <step>',
      'step (index or name) to run again, with every step depending on it',
      stepRef,
    )
    .option(
      '--skip <step>',
      'a step (not completed) to go on without; repeat for more',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--reason <text>', 'why (kept in the logs)')
    .action(async (ref: string, opts: { fromStep?: number | string; skip?: string[]; reason?: string }) => {
      const { api, options } = client();
      const id = await resolve(ref);
      const body = {
        ...(opts.fromStep !== undefined ? { fromStep: opts.fromStep } : {}),
        ...(opts.skip ? { skip: opts.skip } : {}),
        ...(opts.reason ? { reason: opts.reason } : {}),
      };
      const recovery = await unwrap(api.POST('/workflows/{id}/recover', { params: { path: { id } }, body }));
      printWorkflow(recovery, options);
      if (!options.json)
        io.out(`re-running: ${recovery.rerun.length > 0 ? recovery.rerun.join(', ') : 'no step'}`);
    });

  const day = (value: string): string => {
    const [today, yesterday] = recentDays(now());
    if (value === 'today') return today;
    if (value === 'yesterday') return yesterday;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    throw new InvalidArgumentError('must be a UTC date YYYY-MM-DD, today or yesterday');
  };

  program
    .command('list')
    .description(
      'List workflows, newest first: the recent ones (created today or yesterday, UTC), or by view, status, job or day',
    )
    .addOption(
      new Option('--view <view>', 'active, failed or recoverable').choices([
        'active',
        'failed',
        'recoverable',
      ]),
    )
    .addOption(new Option('--status <status>', 'a workflow status').choices(WORKFLOW_STATUSES))
    .option('--job <jobId>', 'a job id')
    .option('--day <day>', 'created on this UTC day: YYYY-MM-DD, today or yesterday', day)
    .option('--limit <n>', 'page size (1-100)', wholeNumber, 25)
    .option('--cursor <cursor>', 'next page: as the previous answer printed it, with the same filter')
    .action(
      async (
        opts: {
          view?: ListQuery['view'];
          status?: ListQuery['status'];
          job?: string;
          day?: string;
          limit: number;
          cursor?: string;
        },
        command: Command,
      ) => {
        const { api, options } = client();
        const filtered = opts.view || opts.status || opts.job || opts.day;
        if (!filtered) {
          if (opts.cursor)
            command.error(
              'error: --cursor continues a filtered listing: give its --view, --status, --job or --day',
              {
                exitCode: EXIT.usage,
                code: 'job-orchestrator.usage',
              },
            );
          const recent = await recentWorkflows(api, opts.limit, now());
          if (options.json) return printJson(recent);
          io.out(listText(recent.items));
          if (recent.next) io.out(`more: list --day ${recent.next.day} --cursor ${recent.next.cursor}`);
          return;
        }
        const query: ListQuery = {
          view: opts.view,
          status: opts.status,
          jobId: opts.job,
          createdDay: opts.day,
          limit: opts.limit,
          cursor: opts.cursor,
        };
        const page = await unwrap(api.GET('/workflows', { params: { query } }));
        if (options.json) return printJson(page);
        io.out(listText(page.items));
        if (page.nextCursor) io.out(`more: --cursor ${page.nextCursor}`);
      },
    );

  addConsoleCommand(program, client, io.out);
  return program;
};
