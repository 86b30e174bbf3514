import { useState } from 'preact/hooks';
import { WORKFLOW_STATUSES } from '../../../functions/domain/status-names';
import { api } from '../api';
import { ProgressBar, StatusBadge } from '../components/Status';
import { usePoll } from '../poll';
import { timeText } from '../status';
import type { WorkflowPage, WorkflowStatus } from '../types';

/*
 * The workflow list: the API's listings (a creation day, the views active / failed / recoverable, a
 * status, a job, or a job's workflows of one status), a page at a time with its cursor, each row's
 * status and progress live. The filter is in the URL (`#/?view=failed`), so a view has a link.
 */

const STATUSES: readonly WorkflowStatus[] = WORKFLOW_STATUSES;
const VIEWS = ['active', 'failed', 'recoverable'] as const;
type Kind = 'day' | (typeof VIEWS)[number] | 'status' | 'job';

const today = (): string => new Date().toISOString().slice(0, 10);

/** The API query of the filter in the URL: one filter, or status with jobId. */
const apiQuery = (filter: URLSearchParams): URLSearchParams => {
  const query = new URLSearchParams();
  const view = filter.get('view');
  const status = filter.get('status');
  const jobId = filter.get('jobId');
  if (view) query.set('view', view);
  else if (jobId) {
    query.set('jobId', jobId);
    if (status) query.set('status', status);
  } else if (status) query.set('status', status);
  else query.set('createdDay', filter.get('createdDay') ?? today());
  query.set('limit', filter.get('limit') ?? '25');
  return query;
};

const kindOf = (filter: URLSearchParams): Kind =>
  (filter.get('view') as Kind | null) ??
  (filter.get('jobId') !== null ? 'job' : filter.get('status') ? 'status' : 'day');

const setFilter = (next: Record<string, string>) => {
  const query = new URLSearchParams(Object.entries(next).filter(([, value]) => value !== ''));
  location.hash = `#/?${query}`;
};

export const ListPage = ({ filter }: { filter: URLSearchParams }) => {
  const query = apiQuery(filter);
  /** Cursors of the pages before this one: "Previous" pops one. */
  const [cursors, setCursors] = useState<readonly (string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const pageQuery = new URLSearchParams(query);
  if (cursor) pageQuery.set('cursor', cursor);
  const { data, error } = usePoll<WorkflowPage>(() => api.list(pageQuery), pageQuery.toString());
  const kind = kindOf(filter);
  const [jobInput, setJobInput] = useState(filter.get('jobId') ?? '');

  const choose = (next: Kind) => {
    setCursors([undefined]);
    if (next === 'day') setFilter({ createdDay: today() });
    else if (next === 'status') setFilter({ status: 'running' });
    else if (next === 'job') setFilter({ jobId: jobInput });
    else setFilter({ view: next });
  };

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">Workflows</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <fieldset>
          <legend>Show</legend>
          {(['day', ...VIEWS, 'status', 'job'] as Kind[]).map((option) => (
            <label key={option} class="inline">
              <input
                type="radio"
                name="kind"
                value={option}
                checked={kind === option}
                onChange={() => choose(option)}
              />{' '}
              {option === 'day'
                ? 'created on'
                : option === 'job'
                  ? 'of a job'
                  : option === 'status'
                    ? 'by status'
                    : option}
            </label>
          ))}
        </fieldset>
        {kind === 'day' ? (
          <label>
            Day (UTC){' '}
            <input
              type="date"
              name="createdDay"
              value={query.get('createdDay') ?? today()}
              onChange={(event) => setFilter({ createdDay: (event.target as HTMLInputElement).value })}
            />
          </label>
        ) : null}
        {kind === 'job' ? (
          <label>
            Job id{' '}
            <input
              type="text"
              name="jobId"
              value={jobInput}
              onInput={(event) => setJobInput((event.target as HTMLInputElement).value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') setFilter({ jobId: jobInput, status: filter.get('status') ?? '' });
              }}
            />
          </label>
        ) : null}
        {kind === 'status' || kind === 'job' ? (
          <label>
            Status{' '}
            <select
              name="status"
              value={filter.get('status') ?? ''}
              onChange={(event) =>
                setFilter({
                  ...(kind === 'job' ? { jobId: jobInput } : {}),
                  status: (event.target as HTMLSelectElement).value,
                })
              }
            >
              {kind === 'job' ? <option value="">any</option> : null}
              {STATUSES.map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </form>
      {error ? (
        <p class="error" role="alert">
          {error.message}
        </p>
      ) : null}
      {!data ? (
        <p>Loading…</p>
      ) : data.items.length === 0 ? (
        <p>No workflow here.</p>
      ) : (
        <table class="workflows">
          <thead>
            <tr>
              <th scope="col">workflow</th>
              <th scope="col">job</th>
              <th scope="col">definition</th>
              <th scope="col">status</th>
              <th scope="col">progress</th>
              <th scope="col">created</th>
              <th scope="col">updated</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((workflow) => (
              <tr key={workflow.workflowId} data-workflow-row={workflow.workflowId}>
                <td>
                  <a href={`#/workflows/${encodeURIComponent(workflow.workflowId)}`}>
                    <code>{workflow.workflowId}</code>
                  </a>
                </td>
                <td>{workflow.jobId}</td>
                <td>{workflow.definitionName}</td>
                <td>
                  <StatusBadge status={workflow.status} />
                </td>
                <td>
                  <ProgressBar value={workflow.progress} label={`Progress of ${workflow.workflowId}`} />
                </td>
                <td>{timeText(workflow.createdAt)}</td>
                <td>{timeText(workflow.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!data?.nextCursor}
          onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
};
