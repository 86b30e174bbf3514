import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../functions/contract/definition.js';
import { versionToRun } from '../../../functions/contract/definition-versions.js';
import { renderCatalog } from '../../../state-machines/catalog.js';
import { workflowDefinitions } from '../../../state-machines/registry.js';
import {
  readLock,
  readVersions,
  recordVersions,
  versionHash,
  versionProblems,
} from '../../../state-machines/versions.js';

const smoke = (JSON.parse(renderCatalog()) as WorkflowDefinition[]).find(
  (d) => d.name === 'dataset-smoke',
) as WorkflowDefinition;
/** dataset-smoke with package allowed two retries: a change of a step's policy. */
const retried: WorkflowDefinition = {
  ...smoke,
  steps: smoke.steps.map((s) => (s.name === 'package' ? { ...s, maxRetries: 2 } : s)),
};

describe('definition versions (README, "Versions")', () => {
  it('the committed lock and functions/definitions/versions.json record every shipped definition as it is', () => {
    expect(versionProblems(workflowDefinitions)).toBeUndefined();
    for (const definition of workflowDefinitions)
      expect(readLock()[definition.name]?.versions[definition.version]).toBe(versionHash(definition));
  });

  it('refuses a definition whose steps or policies changed under a recorded version, naming it', () => {
    const problem = versionProblems([retried]);
    expect(problem).toContain(
      'definition "dataset-smoke" changed its steps or their policies but kept version',
    );
    expect(() => recordVersions([retried])).toThrow(/give it a new version, then run npm run definitions/);
    // A description is not what a version pins.
    expect(versionProblems([{ ...smoke, description: 'reworded' }])).toBeUndefined();
  });

  it('refuses a version that is not recorded yet, and npm run definitions records it beside the earlier one', () => {
    const next = { ...retried, version: '3' };
    expect(versionProblems([next])).toContain('version "3" is not recorded');
    const { lock, versions } = recordVersions([next]);
    expect(Object.keys(lock['dataset-smoke']?.versions ?? {})).toEqual(['2', '3']);
    expect(lock['dataset-smoke']?.upgradeVersion).toBe('2');
    expect(versions['dataset-smoke']?.versions['2']?.steps).toEqual(smoke.steps);
    expect(versions['dataset-smoke']?.versions['3']?.steps.at(-1)?.maxRetries).toBe(2);
    expect(versionProblems([next], lock, versions)).toBeUndefined();
  });

  it('runs a record from before versions on the version current at the upgrade', () => {
    const versions = readVersions();
    expect(versionToRun(versions, 'dataset-smoke', '2')).toBe('2');
    expect(versionToRun(versions, 'dataset-smoke', '1')).toBe(versions['dataset-smoke']?.upgradeVersion);
    expect(versionToRun(versions, 'dataset-smoke', undefined)).toBe('2');
    expect(versionToRun(versions, 'unknown', '1')).toBeUndefined();
  });
});
