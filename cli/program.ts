import { Command, InvalidArgumentError, Option } from 'commander';
import { WorkflowStatus } from '../functions/domain/statuses.js';
import {
  type ApiAuth,
  type ControlApi,
  createApiClient,
  type operations,
  unwrap,
  type Workflow,
} from './client.js';
import { listText, statusText } from './format.js';
import { watchWorkflows } from './watch.js';

/** The local stack's address (`npm start`): the default target. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

export interface ProgramIo {
  readonly out: (text: string) => void;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
}

type ListQuery = NonNullable<operations['listWorkflows']['parameters']['query']>;

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

const pageSize = (value: string): number => {
  if (/^\d+$/.test(value)) return Number(value);
  throw new InvalidArgumentError('must be a whole number, e.g. 25');
};

/**
 * The `job-orchestrator` command: every lifecycle call of the control API from a terminal. Pure
 * HTTP: it works against the local stack and any deployed stage alike.
 */
export const buildProgram = (io: ProgramIo): Command => {
  const program = new Command('job-orchestrator')
    .description('Drive job-orchestrator workflows over its HTTP API')
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
    .option('--json', 'print the raw JSON answers')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.out(s.trimEnd()) })
    .exitOverride()
    .showHelpAfterError();

  const client = (): { api: ControlApi; url: string; options: GlobalOptions } => {
    const options = program.opts<GlobalOptions>();
    const key = options.apiKey ?? process.env.JOB_ORCHESTRATOR_API_KEY;
    const auth: ApiAuth = key
      ? { kind: 'apiKey', key }
      : options.iam
        ? { kind: 'iam', ...(options.region ? { region: options.region } : {}) }
        : { kind: 'none' };
    return {
      api: createApiClient({ url: options.url, auth, ...(io.fetch ? { fetch: io.fetch } : {}) }),
      url: options.url,
      options,
    };
  };
  /** Prints a workflow answer: JSON when asked, else its id and status. */
  const printWorkflow = (workflow: Workflow, options: GlobalOptions) =>
    io.out(options.json ? JSON.stringify(workflow, null, 2) : `${workflow.workflowId}  ${workflow.status}`);

  program
    .command('submit')
    .description('Create a workflow for a job (and start it with --start)')
    .argument('<definition>', 'definition name (see GET /definitions)')
    .argument('<jobId>', 'job the workflow belongs to')
    .option('--metadata <json>', 'metadata object given to the steps', json)
    .option('--start', 'start it at once')
    .action(
      async (
        definition: string,
        jobId: string,
        opts: { metadata?: Record<string, unknown>; start?: boolean },
      ) => {
        const { api, options } = client();
        const body = {
          definition,
          jobId,
          ...(opts.metadata ? { metadata: opts.metadata } : {}),
          start: !!opts.start,
        };
        printWorkflow(await unwrap(api.POST('/workflows', { body })), options);
      },
    );

  program
    .command('status')
    .description('A workflow: progress bar and task table')
    .argument('<workflowId>')
    .action(async (id: string) => {
      const { api, options } = client();
      const params = { path: { id } };
      const [workflow, progress, tasks] = await Promise.all([
        unwrap(api.GET('/workflows/{id}', { params })),
        unwrap(api.GET('/workflows/{id}/progress', { params })),
        unwrap(api.GET('/workflows/{id}/tasks', { params })),
      ]);
      io.out(
        options.json
          ? JSON.stringify({ workflow, progress, tasks: tasks.items }, null, 2)
          : statusText(workflow, progress, tasks.items),
      );
    });

  program
    .command('watch')
    .description('Follow workflows until each is completed, failed or cancelled')
    .argument('<workflowIds...>')
    .option('--interval <ms>', 'poll interval', (v) => Number(v), 500)
    .action(async (ids: string[], opts: { interval: number }) => {
      const { api, url } = client();
      const done = await watchWorkflows(url, ids, opts.interval, (id) =>
        unwrap(api.GET('/workflows/{id}/progress', { params: { path: { id } } })),
      );
      // A script waiting on `watch` learns the outcome from the exit code.
      if (done.some((s) => s.status !== 'completed')) process.exitCode = 2;
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
      .argument('<workflowId>')
      .action(async (id: string) => {
        const { api, options } = client();
        printWorkflow(await unwrap(api.POST(path, { params: { path: { id } } })), options);
      });
  }

  program
    .command('recover')
    .description(
      'Run a failed workflow again: the steps not done, plus --from-step and its dependents, minus --skip',
    )
    .argument('<workflowId>')
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
    .action(async (id: string, opts: { fromStep?: number | string; skip?: string[]; reason?: string }) => {
      const { api, options } = client();
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

  program
    .command('list')
    .description('List workflows by view, status or job (newest first)')
    .addOption(
      new Option('--view <view>', 'active, failed or recoverable').choices([
        'active',
        'failed',
        'recoverable',
      ]),
    )
    .addOption(new Option('--status <status>', 'a workflow status').choices(WorkflowStatus.options))
    .option('--job <jobId>', 'a job id')
    .option('--limit <n>', 'page size', pageSize)
    .option('--cursor <cursor>', 'next page (from a previous --json answer)')
    .action(
      async (opts: {
        view?: ListQuery['view'];
        status?: ListQuery['status'];
        job?: string;
        limit?: number;
        cursor?: string;
      }) => {
        const { api, options } = client();
        if (!opts.view && !opts.status && !opts.job) throw new Error('give --view, --status or --job');
        const query: ListQuery = {
          view: opts.view,
          status: opts.status,
          jobId: opts.job,
          limit: opts.limit,
          cursor: opts.cursor,
        };
        const page = await unwrap(api.GET('/workflows', { params: { query } }));
        io.out(options.json ? JSON.stringify(page, null, 2) : listText(page.items));
        if (!options.json && page.nextCursor) io.out(`more: --cursor ${page.nextCursor}`);
      },
    );

  return program;
};
