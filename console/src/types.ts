import type { components } from '../../generated/control-api';

/* The API's shapes, from the types generated from docs/openapi.json (as the CLI's client uses). */

type Schemas = components['schemas'];
export type Workflow = Schemas['Workflow'];
export type Progress = Schemas['Progress'];
export type Task = Schemas['Task'];
export type Definition = Schemas['Definition'];
export type ItemOutcome = Schemas['ItemOutcome'];
export type HistoryEvent = Schemas['HistoryEvent'];
export type HistoryPage = Schemas['WorkflowHistory'];
export type WorkflowPage = { items: Workflow[]; nextCursor?: string };
export type ItemPage = { items: ItemOutcome[]; nextCursor?: string };
export type WorkflowStatus = Workflow['status'];
export type TaskStatus = Task['status'];
