import { TASK_TRANSITIONS, WORKFLOW_TRANSITIONS } from '../functions/domain/transitions.js';

const rows = (table: Readonly<Record<string, readonly string[]>>): string[] =>
  Object.entries(table).map(([from, to]) => `| ${from} | ${to.length > 0 ? to.join(', ') : '(terminal)'} |`);

/** The README's status tables, rendered from functions/domain/transitions.ts (a test keeps them in step). */
export const renderTransitionTables = (): string =>
  [
    '| workflow status | may move to |',
    '|---|---|',
    ...rows(WORKFLOW_TRANSITIONS),
    '',
    '| task status | may move to |',
    '|---|---|',
    ...rows(TASK_TRANSITIONS),
  ].join('\n');

if (import.meta.url === `file://${process.argv[1]}`) console.log(renderTransitionTables());
