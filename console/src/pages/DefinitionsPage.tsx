import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { Dag } from '../components/Dag';
import { type JsonSchema, type ParameterRow, parameterGroups, parameterRows } from '../parameters';
import { usePoll } from '../poll';
import { durationText } from '../status';
import type { Definition } from '../types';

/*
 * The definitions the API runs (GET /definitions): each one's graph, its versions, and the
 * parameters its `metadata` takes (the JSON Schema the API checks a create against), for any of
 * the versions the API still runs.
 */

/** A group longer than this (fault injection's keys, one set per step) is folded. */
const FOLD_OVER = 8;

const ParameterTable = ({
  rows,
  caption,
}: {
  rows: readonly ParameterRow[];
  caption?: ComponentChildren;
}) => (
  <table class="parameters">
    {caption ? <caption>{caption}</caption> : null}
    <thead>
      <tr>
        <th scope="col">name</th>
        <th scope="col">type</th>
        <th scope="col">default</th>
        <th scope="col">rule</th>
        <th scope="col">description</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((row) => (
        <tr key={row.name} data-parameter={row.name}>
          <td>
            <code>{row.name}</code>
          </td>
          <td>{row.type}</td>
          <td>{row.default === undefined ? row.required ? 'required' : '—' : <code>{row.default}</code>}</td>
          <td>{row.rule || '—'}</td>
          <td>{row.description}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const Parameters = ({ schema }: { schema: Definition['parameters'] }) => {
  const groups = parameterGroups(parameterRows(schema as JsonSchema | null));
  if (groups.length === 0) return <p>Parameters: none declared; any metadata object.</p>;
  const shown = groups.filter(([, rows]) => rows.length <= FOLD_OVER).flatMap(([, rows]) => rows);
  const folded = groups.filter(([, rows]) => rows.length > FOLD_OVER);
  return (
    <>
      <ParameterTable
        rows={shown}
        caption={
          <>
            Parameters (<code>metadata</code>; <code>submit --param name=value</code>)
          </>
        }
      />
      {folded.map(([group, rows]) => (
        <details key={group} data-parameter-group={group}>
          <summary>
            <code>{group}</code>: {rows.length} more parameters
          </summary>
          <ParameterTable rows={rows} />
        </details>
      ))}
    </>
  );
};

const DefinitionView = ({ versions }: { versions: readonly Definition[] }) => {
  const current = versions.find((v) => v.current) ?? (versions.at(-1) as Definition);
  const [chosen, setChosen] = useState(current.version);
  const shown = versions.find((v) => v.version === chosen) ?? current;
  const selectId = `version-of-${shown.name}`;
  return (
    <article class="definition" data-definition={shown.name} data-version={shown.version}>
      <h2>{shown.name}</h2>
      <p>{shown.description}</p>
      <p>
        <label for={selectId}>Version </label>
        <select id={selectId} value={shown.version} onChange={(e) => setChosen(e.currentTarget.value)}>
          {versions.map((v) => (
            <option key={v.version} value={v.version}>
              {v.version}
              {v.current ? ' (current: new workflows use it)' : ''}
            </option>
          ))}
        </select>{' '}
        · up to {shown.maxRecoveryAttempts} recoveries
      </p>
      <div class="dag-frame">
        <Dag
          steps={shown.steps.map((s) => ({ name: s.name, dependencies: s.dependencies }))}
          label={`Steps of ${shown.name} ${shown.version}`}
          describe={(index) => {
            const step = shown.steps[index];
            return step
              ? [`type ${step.taskType}`, `retries ${step.maxRetries} · timeout ${step.timeout} s`]
              : ['', ''];
          }}
        />
      </div>
      <table class="steps">
        <caption>Steps</caption>
        <thead>
          <tr>
            <th scope="col">step</th>
            <th scope="col">type</th>
            <th scope="col">after</th>
            <th scope="col">retries</th>
            <th scope="col">timeout</th>
            <th scope="col">estimated</th>
          </tr>
        </thead>
        <tbody>
          {shown.steps.map((step) => (
            <tr key={step.name}>
              <td>{step.name}</td>
              <td>{step.taskType}</td>
              <td>{step.dependencies.map((d) => shown.steps[d]?.name).join(', ') || '—'}</td>
              <td>{step.maxRetries}</td>
              <td>{step.timeout} s</td>
              <td>{durationText(step.estimatedDuration)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Parameters schema={shown.parameters ?? null} />
    </article>
  );
};

export const DefinitionsPage = () => {
  const { data, error } = usePoll(() => api.definitions(), 'definitions');
  if (error)
    return (
      <p class="error" role="alert">
        {error.message}
      </p>
    );
  if (!data) return <p>Loading definitions…</p>;
  const byName = new Map<string, Definition[]>();
  for (const definition of data.items)
    byName.set(definition.name, [...(byName.get(definition.name) ?? []), definition]);
  return (
    <section aria-labelledby="definitions-title">
      <h1 id="definitions-title">Definitions</h1>
      {[...byName.values()].map((versions) => (
        <DefinitionView key={versions[0]?.name} versions={versions} />
      ))}
    </section>
  );
};
