import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../state-machines/catalog.js';
import { budgetsOf, describeBudget } from '../state-machines/compile/fan-out-budget.js';
import { workflowDefinitions } from '../state-machines/registry.js';
import { LOCK_PATH, recordVersions, VERSIONS_PATH } from '../state-machines/versions.js';

/**
 * `npm run definitions`: regenerates the runtime's definition catalog and the parameters' JSON Schema
 * from state-machines/definitions.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
for (const { path, text } of generatedFiles()) {
  writeFileSync(resolve(root, path), text);
  console.log(`wrote ${path}`);
}
// A new version is recorded (a definition changed under a recorded version fails here, naming it):
// the lock and the runtime's copy of every version (README, "Versions").
const { lock, versions } = recordVersions(workflowDefinitions);
writeFileSync(resolve(root, LOCK_PATH), `${JSON.stringify(lock, null, 2)}\n`);
writeFileSync(resolve(root, VERSIONS_PATH), `${JSON.stringify(versions, null, 2)}\n`);
console.log(`wrote ${LOCK_PATH} and ${VERSIONS_PATH}`);
// The time budget of each fan-out step's batches and items, so a timeout that leaves an item too
// little shows before a deploy does (docs/behaviour.md, "Fan-out").
for (const definition of workflowDefinitions)
  for (const budget of budgetsOf(definition.steps))
    console.log(`  ${definition.name} ${describeBudget(budget)}`);
