import { describe, expect, it } from 'vitest';
import {
  formatValue,
  lineFormatRequested,
  renderLine,
  shortFunctionName,
} from '../../../functions/shared/log-line.js';

const at = new Date(2026, 0, 2, 12, 1, 3, 412);

describe('renderLine', () => {
  it('puts time, level, function, workflow / step / attempt, message, then the other keys', () => {
    expect(
      renderLine({
        time: at,
        level: 'WARN',
        functionName: 'WorkflowdatasetbuildSteplabel8FD3F5E1',
        message: 'step attempt failed',
        keys: {
          correlation_id: 'c-1',
          workflowId: '01JABCDEF',
          jobId: 'demo-job',
          step: 'label',
          attempt: 2,
          error: 'boom',
          retryable: true,
        },
      }),
    ).toBe(
      '12:01:03.412 WARN  label  wf=01JABCDEF step=label attempt=2  step attempt failed  jobId="demo-job" error="boom" retryable=true',
    );
  });

  it('leaves out what a line does not have', () => {
    expect(
      renderLine({ time: at, level: 'ERROR', message: 'no context', keys: { gone: undefined, empty: '' } }),
    ).toBe('12:01:03.412 ERROR  no context');
  });

  it('never spans lines: newlines in the message and in values are escaped, errors are one line', () => {
    const error = new TypeError('bad\nvalue');
    const line = renderLine({
      time: at,
      level: 'ERROR',
      functionName: 'ControlApiHandler1643C643',
      message: 'first\nsecond',
      keys: { error, nested: { cause: new Error('inner'), list: [1, 'two'] }, big: 10n },
    });
    expect(line).not.toContain('\n');
    expect(line).toBe(
      '12:01:03.412 ERROR ControlApiHandler  first\\nsecond  error="TypeError: bad\\nvalue" nested={"cause":"inner","list":[1,"two"]} big=10',
    );
  });

  it('cuts a very long value', () => {
    const value = formatValue('x'.repeat(1000));
    expect(value.length).toBeLessThan(260);
    expect(value).toMatch(/…"$/);
  });

  it('survives a value JSON cannot print', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(formatValue(circular)).toBe('"[object Object]"');
  });
});

describe('shortFunctionName', () => {
  it.each([
    ['WorkflowdatasetbuildSteplabel8FD3F5E1', 'label'],
    ['WorkflowdatasetsmokeStepdeduplicate35F6CC55', 'deduplicate'],
    ['RecoveryReconciler46E1B8CD', 'RecoveryReconciler'],
    ['PauseGate037FF6E7', 'PauseGate'],
    ['step-download', 'step-download'],
  ])('%s → %s', (name, short) => {
    expect(shortFunctionName(name)).toBe(short);
  });
});

describe('lineFormatRequested', () => {
  it('only for LOG_FORMAT=line: JSON otherwise, as on AWS', () => {
    expect(lineFormatRequested({ LOG_FORMAT: 'line' })).toBe(true);
    expect(lineFormatRequested({ LOG_FORMAT: ' Line ' })).toBe(true);
    expect(lineFormatRequested({ LOG_FORMAT: 'json' })).toBe(false);
    expect(lineFormatRequested({})).toBe(false);
  });
});
