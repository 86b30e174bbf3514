import type { TaskStatus, WorkflowStatus } from './types';

/*
 * How a status looks: a colour (CSS class `status-<name>`) always with its name in text and a
 * symbol, so no status is told by colour alone.
 */

const SYMBOLS: Record<WorkflowStatus | TaskStatus, string> = {
  pending: '○',
  queued: '◔',
  running: '▶',
  retrying: '↻',
  paused: '⏸',
  recovering: '↻',
  completed: '✓',
  failed: '✕',
  cancelled: '⊘',
  skipped: '↷',
};

export const statusSymbol = (status: WorkflowStatus | TaskStatus): string => SYMBOLS[status] ?? '•';

export const statusClass = (status: WorkflowStatus | TaskStatus): string => `status status-${status}`;

/** `1m 20s`, `3.4 s`, `850 ms`. */
export const durationText = (seconds: number): string => {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return minutes < 60 ? `${minutes}m ${rest}s` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
};

/** Local clock time of an ISO timestamp, with the date when it is not today. */
export const timeText = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const at = new Date(iso);
  const today = new Date().toDateString() === at.toDateString();
  return today ? at.toLocaleTimeString() : at.toLocaleString();
};
