import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflowDefinitions as catalogDefinitions } from '../../../functions/definitions/catalog.js';
import { generatedFiles } from '../../../state-machines/catalog.js';
import { datasetBuild } from '../../../state-machines/definitions/dataset-build.js';
import { datasetSmoke } from '../../../state-machines/definitions/dataset-smoke.js';
import {
  DEFINITIONS_DIRECTORY,
  discoverDefinitions,
  workflowDefinitions,
} from '../../../state-machines/registry.js';

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

  it('reach the runtime as the generated catalog and parameter schemas, up to date (npm run definitions)', () => {
    for (const { path, text } of generatedFiles())
      expect(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'), path).toBe(text);
    expect(catalogDefinitions).toEqual(workflowDefinitions);
  });

  it("dataset-smoke runs dataset-build's steps, handlers and dependencies", () => {
    const shape = ({ steps }: typeof datasetBuild) =>
      steps.map(({ name, taskType, handler, dependencies }) => ({ name, taskType, handler, dependencies }));
    expect(shape(datasetSmoke)).toEqual(shape(datasetBuild));
    expect(datasetSmoke.steps.map((s) => s.timeout)).toEqual([5, 5, 5, 5, 1, 5]);
  });
});

describe('definition discovery', () => {
  const fixtures = (name: string) => new URL(`../../fixtures/definitions/${name}/`, import.meta.url);

  it('picks up every module of state-machines/definitions/, with no list to edit', () => {
    const files = readdirSync(DEFINITIONS_DIRECTORY).filter((file) => file.endsWith('.ts'));
    expect(workflowDefinitions.length).toBeGreaterThanOrEqual(files.length);
    expect(workflowDefinitions.map((d) => d.name)).toEqual(['dataset-build', 'dataset-smoke']);
  });

  it('finds each definition a module exports once, in file-name order', async () => {
    expect((await discoverDefinitions(fixtures('found'))).map((d) => d.name)).toEqual(['first', 'second']);
  });

  it('refuses two definitions of one name, naming both files', async () => {
    await expect(discoverDefinitions(fixtures('duplicate'))).rejects.toThrow(
      'Two definitions are named "same-name": test/fixtures/definitions/duplicate/a.ts and test/fixtures/definitions/duplicate/b.ts',
    );
  });

  it('refuses a module that exports no definition (a spec never passed to defineWorkflow)', async () => {
    await expect(discoverDefinitions(fixtures('empty'))).rejects.toThrow(
      'test/fixtures/definitions/empty/spec-only.ts exports no workflow definition',
    );
  });
});
