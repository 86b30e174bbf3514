import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowDefinition } from './dsl.js';
import { isDefinedWorkflow } from './validate.js';

/** Where the shipped definitions live: every module there is one (or more) of them. */
export const DEFINITIONS_DIRECTORY = new URL('./definitions/', import.meta.url);

const label = (directory: URL, file: string): string =>
  `${fileURLToPath(directory).replace(/^.*\/(?=state-machines\/|test\/)/, '')}${file}`;

/**
 * Every definition the modules of a directory export (made with defineWorkflow), in file-name order:
 * a new file is picked up with no list to edit. A module that exports none, and two definitions of
 * one name, are errors naming the files, so nothing is silently left out (docs/architecture.md,
 * "Definitions as data").
 */
export const discoverDefinitions = async (directory: URL): Promise<WorkflowDefinition[]> => {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort();
  const found = new Map<string, { definition: WorkflowDefinition; file: string }>();
  for (const file of files) {
    const exported = Object.values((await import(new URL(file, directory).href)) as Record<string, unknown>);
    const definitions = [...new Set(exported.filter(isDefinedWorkflow))];
    if (definitions.length === 0)
      throw new Error(
        `${label(directory, file)} exports no workflow definition: export the result of defineWorkflow(...)`,
      );
    for (const definition of definitions) {
      const first = found.get(definition.name);
      if (first)
        throw new Error(
          `Two definitions are named "${definition.name}": ${label(directory, first.file)} and ${label(directory, file)}`,
        );
      found.set(definition.name, { definition, file });
    }
  }
  return [...found.values()].map(({ definition }) => definition);
};

/**
 * Every shipped definition: the stack builds one state machine for each, and `npm run definitions`
 * writes them to the catalog the runtime reads (docs/architecture.md, "Definitions as data").
 */
export const workflowDefinitions: readonly WorkflowDefinition[] =
  await discoverDefinitions(DEFINITIONS_DIRECTORY);
