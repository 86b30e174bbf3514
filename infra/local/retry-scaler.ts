/** One entry of a state's Retry field. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/** Whether a retrier catches an error, by Step Functions' rules (States.TaskFailed is not a timeout). */
const matches = (retrier: Retrier, error: Error): boolean =>
  retrier.ErrorEquals.some(
    (name) =>
      name === error.name ||
      name === 'States.ALL' ||
      (name === 'States.TaskFailed' && error.name !== 'States.Timeout'),
  );

/**
 * Scaled Retry waits. The library takes one fixed override per retrier (not per attempt), read when
 * a state fails; so the wait of the retrier that will match is recomputed (IntervalSeconds *
 * BackoffRate^attempt, capped by MaxDelaySeconds, FULL jitter applied) just before a task's error
 * reaches the library. Parallel/Map states (not seen failing here) get their first interval scaled.
 */
export class RetryScaler {
  /** The library's `retryIntervalOverrides`; undefined at scale 1. */
  readonly overrides: Record<string, number[]> | undefined;
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly states: ReadonlyMap<string, { Retry?: Retrier[] }>,
    private readonly scale: number,
  ) {
    // At scale 1 the library's own computation is exact: no overrides at all.
    if (scale === 1) return;
    this.overrides = {};
    for (const [name, state] of states)
      if (state.Retry) this.overrides[name] = state.Retry.map((retrier) => this.wait(retrier, 0));
  }

  succeeded(stateName: string): void {
    this.attempts.delete(stateName);
  }

  failed(stateName: string, error: Error): void {
    const retriers = this.states.get(stateName)?.Retry;
    if (!this.overrides || !retriers) return;
    const attempts = this.attempts.get(stateName) ?? retriers.map(() => 0);
    const index = retriers.findIndex((retrier) => matches(retrier, error));
    const retrier = retriers[index];
    const attempt = attempts[index] ?? 0;
    // No retry will happen: the library starts the state afresh next time it is entered.
    if (!retrier || attempt >= (retrier.MaxAttempts ?? 3)) return void this.attempts.delete(stateName);
    (this.overrides[stateName] as number[])[index] = this.wait(retrier, attempt);
    attempts[index] = attempt + 1;
    this.attempts.set(stateName, attempts);
  }

  private wait(retrier: Retrier, attempt: number): number {
    const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    const ms = Math.min(seconds, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000 * this.scale;
    return retrier.JitterStrategy === 'FULL' ? Math.random() * ms : ms;
  }
}
