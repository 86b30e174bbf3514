import { api } from '../api';
import { Dag } from '../components/Dag';
import { usePoll } from '../poll';
import { durationText } from '../status';
import type { Definition } from '../types';

/*
 * The definitions the API runs (GET /definitions): each one's graph, its versions, and the
 * parameters its `metadata` takes (the JSON Schema the API checks a create against).
 */

type Schema = {
  type?: unknown;
  description?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
};

const Parameters = ({ schema }: { schema: Definition['parameters'] }) => {
  const properties = Object.entries((schema as Schema | null)?.properties ?? {});
  if (properties.length === 0) return <p>Parameters: any metadata object.</p>;
  return (
    <table class="parameters">
      <caption>Parameters (metadata)</caption>
      <thead>
        <tr>
          <th scope="col">name</th>
          <th scope="col">type</th>
          <th scope="col">default</th>
          <th scope="col">description</th>
        </tr>
      </thead>
      <tbody>
        {properties.map(([name, property]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
            </td>
            <td>{String(property.type ?? 'any')}</td>
            <td>{property.default === undefined ? '—' : <code>{JSON.stringify(property.default)}</code>}</td>
            <td>{property.description ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const DefinitionView = ({ versions }: { versions: readonly Definition[] }) => {
  const latest = versions.at(-1) as Definition;
  return (
    <article class="definition" data-definition={latest.name}>
      <h2>{latest.name}</h2>
      <p>{latest.description}</p>
      <p>
        Versions: {versions.map((v) => v.version).join(', ')} · up to {latest.maxRecoveryAttempts} recoveries
      </p>
      <div class="dag-frame">
        <Dag
          steps={latest.steps.map((s) => ({ name: s.name, dependencies: s.dependencies }))}
          label={`Steps of ${latest.name}`}
          describe={(index) => {
            const step = latest.steps[index];
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
          {latest.steps.map((step) => (
            <tr key={step.name}>
              <td>{step.name}</td>
              <td>{step.taskType}</td>
              <td>{step.dependencies.map((d) => latest.steps[d]?.name).join(', ') || '—'}</td>
              <td>{step.maxRetries}</td>
              <td>{step.timeout} s</td>
              <td>{durationText(step.estimatedDuration)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Parameters schema={latest.parameters ?? null} />
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
