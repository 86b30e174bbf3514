import { describe, expect, it } from 'vitest';
import { progressBar, progressLine } from '../../../cli/progress-line.js';

describe('progressLine', () => {
  it('shows status, a bar, steps done, the running steps and the ETA', () => {
    const line = progressLine(
      {
        workflowId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
        status: 'running',
        progress: 40,
        currentStep: 2,
        totalSteps: 5,
        // Local time, as the terminal shows it.
        eta: new Date(2026, 0, 1, 9, 30, 7).toISOString(),
        tasks: [
          { name: 'deduplicate', status: 'running', retryCount: 0 },
          { name: 'label', status: 'retrying', retryCount: 1 },
        ],
      },
      new Date(2026, 0, 1, 9, 30, 0),
    );
    expect(line).toBe(
      `01JABCDEFGHJKMNPQRSTVWXYZ0  running     ▕${'█'.repeat(10)}${'░'.repeat(14)}▏  40%  2/5 steps  deduplicate running, label retrying (retry 1)  ETA 09:30:07 (in 7s)`,
    );
  });

  it('clamps the bar to 0..100', () => {
    expect(progressBar(150, 4)).toBe('████');
    expect(progressBar(-5, 4)).toBe('░░░░');
  });
});
