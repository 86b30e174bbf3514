import { TASK_TABLE, type TableSchema, WORKFLOW_TABLE } from '../functions/repositories/table-schema.js';

const keyOf = (pk: { name: string }, sk?: { name: string }) =>
  sk ? `(${pk.name}, ${sk.name})` : `(${pk.name})`;

const rows = (schema: TableSchema): string[] => [
  ...(schema.baseKeyDocuments
    ? [
        `| ${schema.baseKeyDocuments} | ${schema.logicalName} base key ${keyOf(schema.partitionKey, schema.sortKey)} |`,
      ]
    : []),
  ...Object.entries(schema.indexes).map(
    ([name, index]) =>
      `| ${index.documents} | ${schema.logicalName} GSI \`${name}\` ${keyOf(index.partitionKey, index.sortKey)} |`,
  ),
];

/** The README's index mapping, rendered from table-schema.ts (a test keeps the README in step). */
export const renderIndexTable = (): string =>
  [
    '| documented index (reference) | DynamoDB access path |',
    '|---|---|',
    ...rows(WORKFLOW_TABLE),
    ...rows(TASK_TABLE),
  ].join('\n');

if (import.meta.url === `file://${process.argv[1]}`) console.log(renderIndexTable());
