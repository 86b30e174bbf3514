import {
  type IndexSchema,
  TASK_TABLE,
  type TableSchema,
  WORKFLOW_TABLE,
} from '../functions/repositories/table-schema.js';

const keyOf = (pk: { name: string }, sk?: { name: string }) =>
  sk ? `(${pk.name}, ${sk.name})` : `(${pk.name})`;

const projectionOf = (index: IndexSchema): string =>
  index.projection === 'ALL'
    ? 'ALL'
    : index.projection.length === 0
      ? 'KEYS_ONLY'
      : `INCLUDE ${index.projection.join(', ')}`;

const detailsOf = (index: IndexSchema): string =>
  [
    index.shards > 1 ? `${index.shards} shards` : '',
    projectionOf(index),
    index.sparse ? `sparse: ${index.sparse}` : '',
  ]
    .filter(Boolean)
    .join('; ');

const rows = (schema: TableSchema): string[] => [
  ...(schema.baseKeyDocuments ?? []).map(
    ({ documents, how }) =>
      `| ${documents} | ${schema.logicalName} base key ${keyOf(schema.partitionKey, schema.sortKey)} | ${how} |`,
  ),
  ...Object.entries(schema.indexes).map(
    ([name, index]) =>
      `| ${index.documents} | ${schema.logicalName} GSI \`${name}\` ${keyOf(index.partitionKey, index.sortKey)} | ${detailsOf(index)} |`,
  ),
];

/** The README's index mapping, rendered from table-schema.ts (a test keeps the README in step). */
export const renderIndexTable = (): string =>
  [
    '| documented index (reference) | DynamoDB access path | shards; projection; sparse |',
    '|---|---|---|',
    ...rows(WORKFLOW_TABLE),
    ...rows(TASK_TABLE),
  ].join('\n');

if (import.meta.url === `file://${process.argv[1]}`) console.log(renderIndexTable());
