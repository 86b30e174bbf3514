/*
 * How the terminal shows a workflow's ETA. The estimate itself is the API's `eta` (the progress
 * view's, computed by functions/domain/progress.ts `estimateCompletion`): the CLI never estimates on
 * its own, so `status`, `watch` and a script reading `--json` see one rule.
 */

/** What the ETA display reads: a progress answer (or a workflow with the progress's `eta`). */
export interface EtaSource {
  readonly status: string;
  /** ISO time the workflow should finish at, or null when nothing is estimated. */
  readonly eta: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time, `14:32:05`; with the date, `2026-01-02 14:32:05`, when not today. */
export const clockTime = (at: Date, now: Date): string => {
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const sameDay =
    at.getFullYear() === now.getFullYear() &&
    at.getMonth() === now.getMonth() &&
    at.getDate() === now.getDate();
  return sameDay ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
};

/** A duration in whole seconds, as `45s`, `3m 05s`, `2h 07m`. */
export const durationText = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
};

/**
 * `ETA 14:32:05 (in 1m 20s)`: the absolute time and the time left; `ETA 14:32:05 (due now)` once it
 * has passed; `ETA paused` while the workflow is paused (a paused workflow has no moving ETA,
 * whatever the answer carries); empty when the API gives no estimate (not started, finished).
 */
export const etaText = (source: EtaSource, now: Date = new Date()): string => {
  if (source.status === 'paused') return 'ETA paused';
  if (!source.eta) return '';
  const at = new Date(source.eta);
  if (Number.isNaN(at.getTime())) return '';
  const left = (at.getTime() - now.getTime()) / 1000;
  return `ETA ${clockTime(at, now)} (${left >= 0.5 ? `in ${durationText(left)}` : 'due now'})`;
};
