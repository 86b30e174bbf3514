import { statusClass, statusSymbol } from '../status';
import type { TaskStatus, WorkflowStatus } from '../types';

/** A status as a badge: symbol and name in text, coloured by its class. */
export const StatusBadge = ({ status }: { status: WorkflowStatus | TaskStatus }) => (
  <span class={statusClass(status)} data-status={status}>
    <span aria-hidden="true">{statusSymbol(status)}</span> {status}
  </span>
);

/** A progress bar with its percentage in text. */
export const ProgressBar = ({ value, label }: { value: number; label: string }) => (
  <span class="progress">
    <progress max={100} value={value} aria-label={label} /> <span>{value}%</span>
  </span>
);
