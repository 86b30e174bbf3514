import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { pollInterval } from './settings';

/*
 * Live data without reload: a read is run now and again every poll interval (1 s by default), one at
 * a time, while the page is visible. The reads are conditional GETs (api.ts): an unchanged answer is
 * a 304 and leaves the state as it is, so nothing re-renders.
 */

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** Reads now (after an action), without waiting for the next tick. */
  readonly refresh: () => void;
}

export const usePoll = <T>(
  read: () => Promise<{ data: T; changed: boolean }>,
  key: string,
  enabled = true,
): Polled<T> => {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const readRef = useRef(read);
  readRef.current = read;
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    // The first answer is shown even when it is a 304: the page may hold it from an earlier visit.
    let first = true;
    setData(undefined);
    const tick = async () => {
      if (stopped || running) return;
      clearTimeout(timer);
      running = true;
      try {
        const answer = await readRef.current();
        if (!stopped && (answer.changed || first)) setData(answer.data);
        first = false;
        if (!stopped) setError(undefined);
      } catch (failure) {
        if (!stopped) setError(failure as Error);
      } finally {
        running = false;
        if (!stopped) timer = setTimeout(tick, document.hidden ? pollInterval() * 5 : pollInterval());
      }
    };
    wake.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, enabled]);

  const refresh = useCallback(() => wake.current(), []);
  return { data, error, refresh };
};
