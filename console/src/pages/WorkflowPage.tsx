import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { Actions, type Verb } from '../components/Actions';
import { Dag } from '../components/Dag';
import { ProgressBar, StatusBadge } from '../components/Status';
import { StepPanel } from '../components/StepPanel';
import { Timeline } from '../components/Timeline';
import type { StepShape } from '../layout';
import { timeText } from '../status';
import type { Definition, Task } from '../types';
import { useHistory, useWorkflowData, type WorkflowData } from '../workflow-data';

/*
 * One workflow: its header (status, progress, ETA, error), the lifecycle buttons, the live DAG and
 * the selected step, the timeline of its runs from the execution history, and the execution: a link
 * to the Step Functions console on AWS, its JSON locally.
 */

/** The steps to draw: the definition's (name and version), else the tasks' own copy of it. */
const stepsOf = (data: WorkflowData, definitions: readonly Definition[] | undefined): StepShape[] => {
  const { definitionName, definitionVersion } = data.workflow;
  const definition =
    definitions?.find((d) => d.name === definitionName && d.version === definitionVersion) ??
    definitions?.find((d) => d.name === definitionName && d.steps.length === data.tasks.length);
  if (definition) return definition.steps.map((s) => ({ name: s.name, dependencies: s.dependencies }));
  return data.tasks.map((t) => ({ name: t.taskName, dependencies: t.dependencies }));
};

const useNow = (ticking: boolean): number => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return ticking ? now : Date.now();
};

export const WorkflowPage = ({ workflowId }: { workflowId: string }) => {
  const { data, error, refresh } = useWorkflowData(workflowId);
  const [definitions, setDefinitions] = useState<readonly Definition[] | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [asked, setAsked] = useState<Verb | undefined>(undefined);
  const [message, setMessage] = useState('');
  useEffect(() => {
    api
      .definitions()
      .then(({ data: page }) => setDefinitions(page.items))
      .catch(() => setDefinitions([]));
  }, []);
  const steps = useMemo(() => (data ? stepsOf(data, definitions) : []), [data, definitions]);
  const stepNames = useMemo(() => steps.map((s) => s.name), [steps]);
  const history = useHistory(workflowId, stepNames, data?.revision ?? 0, steps.length > 0);
  const active = data ? ['running', 'recovering', 'paused'].includes(data.workflow.status) : false;
  const now = useNow(active);
  const tasks = useMemo(() => new Map<string, Task>(data?.tasks.map((t) => [t.taskName, t]) ?? []), [data]);

  if (!data)
    return error ? (
      <p class="error" role="alert">
        {error.message}
      </p>
    ) : (
      <p>Loading workflow {workflowId}…</p>
    );
  const { workflow, progress } = data;
  const task = selected ? tasks.get(selected) : undefined;
  const done = (text: string) => {
    setMessage(text);
    refresh();
    history.refresh();
  };
  return (
    <article class="workflow" data-workflow={workflow.workflowId}>
      <header class="workflow-head">
        <h1>
          Workflow <code>{workflow.workflowId}</code> <StatusBadge status={workflow.status} />
        </h1>
        <dl class="facts">
          <dt>job</dt>
          <dd>
            <a href={`#/?jobId=${encodeURIComponent(workflow.jobId)}`}>{workflow.jobId}</a>
          </dd>
          <dt>definition</dt>
          <dd>
            <a href="#/definitions">
              {workflow.definitionName} {workflow.definitionVersion}
            </a>
          </dd>
          <dt>progress</dt>
          <dd>
            <ProgressBar value={workflow.progress} label="Steps completed" /> ({progress.completedTasks}/
            {progress.totalTasks} steps, weighted {Math.round(progress.weightedProgress)}%)
          </dd>
          <dt>ETA</dt>
          <dd>{workflow.status === 'paused' ? 'paused' : progress.eta ? timeText(progress.eta) : '—'}</dd>
          <dt>started</dt>
          <dd>{timeText(workflow.startedAt)}</dd>
          <dt>completed</dt>
          <dd>{timeText(workflow.completedAt)}</dd>
          <dt>recoveries</dt>
          <dd>
            {workflow.recoveryAttempts} of {workflow.maxRecoveryAttempts}
          </dd>
        </dl>
        {workflow.errorMessage ? (
          <p class="error" data-workflow-error>
            {workflow.errorMessage}
          </p>
        ) : null}
        <Actions
          workflow={workflow}
          tasks={data.tasks}
          selected={selected}
          asked={asked}
          onAsked={setAsked}
          onDone={done}
        />
        <p class="message" role="status" aria-live="polite">
          {message}
          {error ? ` (last refresh failed: ${error.message})` : ''}
        </p>
      </header>
      <section aria-labelledby="graph-title">
        <h2 id="graph-title">Steps</h2>
        <p class="hint">
          Tab to a step, Enter to select it: its details below, and the step a recovery starts from.
        </p>
        <div class="dag-frame">
          <Dag
            steps={steps}
            tasks={tasks}
            selected={selected}
            onSelect={(step) => setSelected(step === selected ? undefined : step)}
            label={`Steps of ${workflow.definitionName}`}
          />
        </div>
        {task ? (
          <StepPanel workflow={workflow} task={task} onRecoverFrom={() => setAsked('recover')} />
        ) : null}
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        {history.data ? (
          <Timeline runs={history.data.runs} now={now} />
        ) : history.error ? (
          <p class="error">History: {history.error.message}</p>
        ) : (
          <p>Loading the execution history…</p>
        )}
      </section>
      <section aria-labelledby="execution-title">
        <h2 id="execution-title">Execution</h2>
        {progress.consoleUrl ? (
          <p>
            <a href={progress.consoleUrl} target="_blank" rel="noreferrer" data-console-link>
              Open this execution in the Step Functions console
            </a>
          </p>
        ) : (
          <p>No Step Functions console here (the local stack): the execution as its history records it.</p>
        )}
        <details>
          <summary>Execution JSON</summary>
          <pre class="result" data-execution-json>
            {JSON.stringify(
              {
                executionArn: progress.executionArn,
                executionArns: workflow.executionArns ?? [],
                history: history.data?.current ?? null,
              },
              null,
              2,
            )}
          </pre>
        </details>
      </section>
    </article>
  );
};
