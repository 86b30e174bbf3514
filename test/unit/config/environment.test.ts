import { describe, expect, it } from 'vitest';
import { defaultOf, envName, perConfiguration, setting } from '../../../functions/config/environment.js';

describe('handler configuration', () => {
  it('reads a required variable and names it, with its purpose, when it is missing', () => {
    expect(setting('workflowTable', { WORKFLOW_TABLE_NAME: 'wf' })).toBe('wf');
    expect(() => setting('workflowTable', {})).toThrow(
      'Environment variable WORKFLOW_TABLE_NAME is not set: it names the WorkflowState table',
    );
  });

  it('applies defaults and validates numbers', () => {
    expect(defaultOf('recoveryBaseDelaySeconds')).toBe(30);
    expect(defaultOf('reconcileStaleAfterSeconds')).toBe(600);
    expect(setting('recoveryBaseDelaySeconds', { RECOVERY_BASE_DELAY_SECONDS: '0.5' })).toBe(0.5);
    expect(() => setting('recoveryBaseDelaySeconds', { RECOVERY_BASE_DELAY_SECONDS: '-1' })).toThrow(
      'RECOVERY_BASE_DELAY_SECONDS must be a number >= 0',
    );
  });

  it('parses the state machine map and refuses what is not a JSON object of strings', () => {
    expect(setting('stateMachines', { STATE_MACHINES: '{"a":"arn:1"}' })).toEqual({ a: 'arn:1' });
    expect(() => setting('stateMachines', { STATE_MACHINES: '[1]' })).toThrow(
      'STATE_MACHINES must be a JSON object of definition name → ARN',
    );
  });

  it('turns automatic recovery off only for the word off', () => {
    expect(setting('automaticRecovery', {})).toBe(true);
    expect(setting('automaticRecovery', { AUTOMATIC_RECOVERY: 'off' })).toBe(false);
  });

  it('builds once per configuration, and again when a variable it reads changes', () => {
    let builds = 0;
    const get = perConfiguration(['eventBus'], (env) => ({ bus: env[envName('eventBus')], build: ++builds }));
    const first = get({ EVENT_BUS_NAME: 'a', OTHER: '1' });
    expect(get({ EVENT_BUS_NAME: 'a', OTHER: '2' })).toBe(first);
    expect(get({ EVENT_BUS_NAME: 'b' })).toEqual({ bus: 'b', build: 2 });
  });
});
