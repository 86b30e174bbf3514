import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_PATH, renderCatalog } from '../state-machines/catalog.js';
import { budgetsOf, describeBudget } from '../state-machines/compile/fan-out-budget.js';
import { workflowDefinitions } from '../state-machines/registry.js';

/** `npm run definitions`: regenerates the runtime's definition catalog from state-machines/definitions. */
const path = resolve(fileURLToPath(new URL('..', import.meta.url)), CATALOG_PATH);
writeFileSync(path, renderCatalog());
console.log(`wrote ${path}`);
// The time budget of each fan-out step's batches and items, so a timeout that leaves an item too
// little shows before a deploy does (docs/behaviour.md, "Fan-out").
for (const definition of workflowDefinitions)
  for (const budget of budgetsOf(definition.steps))
    console.log(`  ${definition.name} ${describeBudget(budget)}`);
