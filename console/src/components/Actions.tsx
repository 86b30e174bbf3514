import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Task, Workflow } from '../types';
import { Confirm } from './Confirm';

/*
 * The lifecycle buttons of a workflow: each enabled only in the statuses the API allows it
 * (functions/domain/transitions.ts), each asking for confirmation. Recover takes the step chosen on
 * the graph as `fromStep`, and optionally steps to skip and a reason.
 */

export type Verb = 'start' | 'pause' | 'resume' | 'cancel' | 'recover';

const ALLOWED: Record<Verb, readonly Workflow['status'][]> = {
  start: ['pending'],
  pause: ['running'],
  resume: ['paused'],
  cancel: ['pending', 'running', 'paused', 'failed', 'recovering'],
  recover: ['failed'],
};

const EXPLAIN: Record<Verb, string> = {
  start: 'Start this workflow: its Step Functions execution begins.',
  pause: 'Pause at the next step boundary: the running step finishes, no new step starts until resume.',
  resume: 'Resume: the steps not done run on.',
  cancel: 'Cancel now: the execution stops and unfinished steps become cancelled. This cannot be undone.',
  recover: 'Recover: a new run of the steps not done.',
};

export const canRun = (verb: Verb, workflow: Workflow): boolean =>
  ALLOWED[verb].includes(workflow.status) &&
  (verb !== 'recover' || workflow.recoveryAttempts < workflow.maxRecoveryAttempts);

interface ActionsProps {
  readonly workflow: Workflow;
  readonly tasks: readonly Task[];
  /** The step selected on the graph: recover's default `fromStep`. */
  readonly selected: string | undefined;
  /** Asked from elsewhere (the step panel's "Recover from this step"). */
  readonly asked: Verb | undefined;
  readonly onAsked: (verb: Verb | undefined) => void;
  readonly onDone: (message: string) => void;
}

export const Actions = ({ workflow, tasks, selected, asked, onAsked, onDone }: ActionsProps) => {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [fromStep, setFromStep] = useState<string>('');
  const [skip, setSkip] = useState<readonly string[]>([]);
  const [reason, setReason] = useState('');

  // A confirmation opened (here or by the step panel) starts from the step selected on the graph.
  useEffect(() => {
    if (!asked) return;
    setError(undefined);
    setFromStep(asked === 'recover' ? (selected ?? '') : '');
    setSkip([]);
    setReason('');
  }, [asked]);

  const run = async (verb: Verb) => {
    setBusy(true);
    try {
      if (verb === 'recover')
        await api.recover(workflow.workflowId, {
          ...(fromStep ? { fromStep } : {}),
          ...(skip.length ? { skip: [...skip] } : {}),
          ...(reason ? { reason } : {}),
        });
      else await api.action(workflow.workflowId, verb);
      onAsked(undefined);
      onDone(`${verb}: done`);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const skippable = tasks.filter((task) => task.status !== 'completed' && task.taskName !== fromStep);
  return (
    <div class="actions" role="toolbar" aria-label="Workflow actions">
      {(Object.keys(ALLOWED) as Verb[]).map((verb) => (
        <button
          key={verb}
          type="button"
          data-action={verb}
          disabled={!canRun(verb, workflow) || busy}
          onClick={() => onAsked(verb)}
        >
          {verb === 'recover' && selected
            ? `Recover from ${selected}`
            : verb[0]?.toUpperCase() + verb.slice(1)}
        </button>
      ))}
      {asked ? (
        <Confirm
          title={`${asked[0]?.toUpperCase()}${asked.slice(1)} workflow ${workflow.workflowId}?`}
          confirmLabel={busy ? 'Working…' : `Yes, ${asked}`}
          danger={asked === 'cancel'}
          onCancel={() => onAsked(undefined)}
          onConfirm={() => void run(asked)}
        >
          <p>{EXPLAIN[asked]}</p>
          {asked === 'recover' ? (
            <fieldset class="recover-options">
              <label>
                From step{' '}
                <select
                  name="fromStep"
                  value={fromStep}
                  onChange={(event) => setFromStep((event.target as HTMLSelectElement).value)}
                >
                  <option value="">(only the steps not done)</option>
                  {tasks.map((task) => (
                    <option key={task.taskName} value={task.taskName}>
                      {task.taskName} and every step after it
                    </option>
                  ))}
                </select>
              </label>
              {skippable.length > 0 ? (
                <fieldset>
                  <legend>Skip (go on without)</legend>
                  {skippable.map((task) => (
                    <label key={task.taskName} class="inline">
                      <input
                        type="checkbox"
                        name="skip"
                        value={task.taskName}
                        checked={skip.includes(task.taskName)}
                        onChange={(event) =>
                          setSkip(
                            (event.target as HTMLInputElement).checked
                              ? [...skip, task.taskName]
                              : skip.filter((name) => name !== task.taskName),
                          )
                        }
                      />{' '}
                      {task.taskName}
                    </label>
                  ))}
                </fieldset>
              ) : null}
              <label>
                Reason{' '}
                <input
                  type="text"
                  name="reason"
                  maxLength={500}
                  value={reason}
                  onInput={(event) => setReason((event.target as HTMLInputElement).value)}
                />
              </label>
            </fieldset>
          ) : null}
          {error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : null}
        </Confirm>
      ) : null}
    </div>
  );
};
