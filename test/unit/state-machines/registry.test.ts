import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflowDefinitions as catalogDefinitions } from '../../../functions/definitions/catalog.js';
import { CATALOG_PATH, renderCatalog } from '../../../state-machines/catalog.js';
import { datasetBuild } from '../../../state-machines/definitions/dataset-build.js';
import { datasetSmoke } from '../../../state-machines/definitions/dataset-smoke.js';
import { workflowDefinitions } from '../../../state-machines/registry.js';

describe('shipped definitions', () => {
  it('dataset-build has at least five steps with two that can run in parallel', () => {
    expect(datasetBuild.steps.length).toBeGreaterThanOrEqual(5);
    const byName = new Map(datasetBuild.steps.map((s) => [s.name, s]));
    expect(byName.get('deduplicate')?.dependencies).toEqual(byName.get('label')?.dependencies);
    expect(byName.get('package')?.dependencies).toEqual([3, 4]);
  });

  it('are registered by name', () => {
    expect(workflowDefinitions.map((d) => d.name)).toContain('dataset-build');
    expect(workflowDefinitions).toContain(datasetBuild);
  });

  it('reach the runtime as the generated catalog, which is up to date (npm run definitions)', () => {
    expect(readFileSync(new URL(`../../../${CATALOG_PATH}`, import.meta.url), 'utf8')).toBe(renderCatalog());
    expect(catalogDefinitions).toEqual(workflowDefinitions);
  });

  it("dataset-smoke runs dataset-build's steps, handlers and dependencies", () => {
    const shape = ({ steps }: typeof datasetBuild) =>
      steps.map(({ name, taskType, handler, dependencies }) => ({ name, taskType, handler, dependencies }));
    expect(shape(datasetSmoke)).toEqual(shape(datasetBuild));
    expect(datasetSmoke.steps.map((s) => s.timeout)).toEqual([5, 5, 5, 5, 1, 5]);
  });
});
