import { parseArgs } from 'node:util';
import { createDocumentClient } from '../functions/repositories/client.js';
import { TASK_TABLE, WORKFLOW_TABLE } from '../functions/repositories/table-schema.js';
import { backfillIndexKeys } from './index-backfill.js';

/*
 * The backfill step of the index migration (docs/dynamodb.md, "Migration"): writes the new index
 * keys into every item of a stage's tables. Run it once the deploy with `-c indexMigration=5` is
 * done (all new GSIs ACTIVE), before the next deploy switches reads to them.
 *
 *   npm run migrate:indexes -- --stage prod [--endpoint http://127.0.0.1:8000]
 */
const { values } = parseArgs({
  options: { stage: { type: 'string' }, endpoint: { type: 'string' } },
});
if (!values.stage) {
  console.error('usage: npm run migrate:indexes -- --stage <stage> [--endpoint <url>]');
  process.exit(64);
}
const prefix = `job-orchestrator-${values.stage}-`;
const tables = {
  workflows: `${prefix}${WORKFLOW_TABLE.logicalName}`,
  tasks: `${prefix}${TASK_TABLE.logicalName}`,
};
const doc = createDocumentClient(values.endpoint ? { endpoint: values.endpoint } : {});
const counts = await backfillIndexKeys(doc, tables);
for (const [table, count] of Object.entries(counts))
  console.log(
    `${table}: ${count.scanned} items scanned, ${count.updated} given their index keys, ${count.moved} moved meanwhile (their own write keyed them)`,
  );
