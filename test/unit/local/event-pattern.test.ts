import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../infra/local/event-pattern.js';

const event = {
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: {
    status: 'FAILED',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:job-orchestrator-dev-x',
    attempt: 3,
  },
};

describe('matchesPattern', () => {
  it('matches exact values, lists and nested fields', () => {
    expect(
      matchesPattern({ source: ['aws.states'], detail: { status: ['FAILED', 'TIMED_OUT'] } }, event),
    ).toBe(true);
    expect(matchesPattern({ source: ['aws.states'], detail: { status: ['SUCCEEDED'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: ['x'] } }, event)).toBe(false);
  });

  it('applies content filters', () => {
    expect(matchesPattern({ detail: { stateMachineArn: [{ prefix: 'arn:aws:states:' }] } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { stateMachineArn: [{ suffix: '-x' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': ['SUCCEEDED'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': 'FAILED' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { attempt: [{ numeric: ['>', 2, '<=', 3] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { attempt: [{ numeric: ['>', 3] }] } }, event)).toBe(false);
    expect(
      matchesPattern(
        { detail: { stateMachineArn: [{ wildcard: '*:stateMachine:job-orchestrator-*' }] } },
        event,
      ),
    ).toBe(true);
    expect(
      matchesPattern(
        { 'detail-type': [{ 'equals-ignore-case': 'step functions execution status change' }] },
        event,
      ),
    ).toBe(true);
  });
});
