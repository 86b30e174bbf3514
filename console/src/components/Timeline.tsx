import { durationText } from '../status';
import type { Attempt, RunTimeline } from '../timeline';

/*
 * The timeline of every run: one row per state that ran, a bar per attempt placed by its time in
 * the run (retries side by side, failures marked), recovery runs below the first. Every bar says in
 * text what it was (attempt, outcome, duration, error), for screen readers and for colour blindness.
 */

const OUTCOME_SYMBOL: Record<Attempt['outcome'], string> = {
  running: '▶',
  succeeded: '✓',
  failed: '✕',
  'timed out': '⌛',
};

const attemptText = (attempt: Attempt, now: number): string => {
  const took = ((attempt.end ?? now) - attempt.start) / 1000;
  const what = attempt.kind === 'items' ? 'items' : `attempt ${attempt.attempt}`;
  return `${what} ${attempt.outcome} after ${durationText(took)}${attempt.error ? ` — ${attempt.error}` : ''}`;
};

const Run = ({ timeline, now }: { timeline: RunTimeline; now: number }) => {
  const end = timeline.end ?? now;
  const span = Math.max(end - timeline.start, 1);
  const states = [...new Set(timeline.attempts.map((a) => a.state))];
  return (
    <section class="run" data-run={timeline.run} aria-label={`Run ${timeline.run}`}>
      <h4>
        Run {timeline.run}
        {timeline.run > 0 ? ' (recovery)' : ''}: {durationText(span / 1000)}
        {timeline.ending ? `, ${timeline.ending.type}` : ', in progress'}
        {timeline.ending?.error ? ` — ${timeline.ending.error}` : ''}
      </h4>
      <ul class="timeline-rows">
        {states.map((state) => (
          <li key={state} class="timeline-row" data-state={state}>
            <span class="timeline-label">{state}</span>
            <span class="timeline-track">
              {timeline.attempts
                .filter((a) => a.state === state)
                .map((a) => {
                  const left = ((a.start - timeline.start) / span) * 100;
                  const width = Math.max((((a.end ?? now) - a.start) / span) * 100, 0.6);
                  const text = attemptText(a, now);
                  return (
                    <span
                      key={`${a.attempt}-${a.start}`}
                      class={`timeline-bar outcome-${a.outcome.replace(' ', '-')}`}
                      style={{ left: `${Math.min(left, 99.4)}%`, width: `${Math.min(width, 100 - left)}%` }}
                      title={text}
                      data-attempt={a.attempt}
                      data-outcome={a.outcome}
                    >
                      <span aria-hidden="true">
                        {OUTCOME_SYMBOL[a.outcome]}
                        {a.kind === 'task' ? a.attempt : ''}
                      </span>
                      <span class="visually-hidden">{text}</span>
                    </span>
                  );
                })}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
};

export const Timeline = ({ runs, now }: { runs: readonly RunTimeline[]; now: number }) => {
  if (runs.length === 0) return <p>No execution yet: the timeline starts with the first run.</p>;
  return (
    <div class="timeline">
      {runs.map((timeline) => (
        <Run key={timeline.run} timeline={timeline} now={now} />
      ))}
    </div>
  );
};
