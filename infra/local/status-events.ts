import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from './arns.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The fields of the SDK's DescribeExecutionOutput this emulation fills. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  /** The version it was started on, if any (infra/local/state-machine-versions.ts). */
  stateMachineVersionArn?: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** JSON text, as the API returns it. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** The EventBridge event AWS emits on every execution status change. */
export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: number;
    stopDate: number | null;
    input: string;
    output: string | null;
    error: string | null;
    cause: string | null;
  };
}

export type StatusChangeListener = (event: ExecutionStatusChangeEvent) => unknown;

/** The status-change event of an execution as it is described now. */
export const statusChangeEvent = (d: ExecutionDescription, region: string): ExecutionStatusChangeEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: LOCAL_ACCOUNT_ID,
  time: new Date().toISOString(),
  region,
  resources: [d.executionArn],
  detail: {
    executionArn: d.executionArn,
    stateMachineArn: d.stateMachineArn,
    name: d.name,
    status: d.status,
    startDate: d.startDate.getTime(),
    stopDate: d.stopDate?.getTime() ?? null,
    input: d.input,
    output: d.output ?? null,
    error: d.error ?? null,
    cause: d.cause ?? null,
  },
});

/** Who hears of status changes: the local stack puts them on its event bus, as AWS does. */
export class StatusEvents {
  private readonly listeners = new Set<StatusChangeListener>();

  constructor(private readonly region: string) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: StatusChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(description: ExecutionDescription): void {
    const event = statusChangeEvent(description, this.region);
    // Delivered asynchronously, like EventBridge: a failing listener cannot break the execution.
    for (const listener of this.listeners)
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: unknown) => console.error('execution status listener failed', error));
  }
}
