import { describe, expect, it } from 'vitest';
import { WorkflowDefinitionError } from '../../../functions/domain/errors.js';
import type { StepSpec, WorkflowSpec } from '../../../state-machines/dsl.js';
import { validateWorkflow } from '../../../state-machines/validate.js';

const stepNamed = (name: string, overrides: Partial<StepSpec> = {}): StepSpec => ({
  name,
  taskType: 'validate',
  handler: 'functions/steps/validate.ts',
  ...overrides,
});

/** Steps s0, s1, ... whose dependencies are given by index, as in the reference observations. */
const withDependencies = (deps: (string | number)[][], extra: Partial<WorkflowSpec> = {}): WorkflowSpec => ({
  name: 'wf',
  steps: deps.map((dependencies, i) => stepNamed(`s${i}`, { dependencies })),
  ...extra,
});

const problemsOf = (spec: unknown): string[] => {
  try {
    validateWorkflow(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowDefinitionError);
    return (error as WorkflowDefinitionError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  return [];
};

describe('workflow definition validation', () => {
  it.each([
    [[[0]], 'steps[0] "s0": Step 0 has forward dependency: 0'],
    [[[], [1]], 'steps[1] "s1": Step 1 has forward dependency: 1'],
    [[[], [-1]], 'steps[1] "s1": Step 1 has invalid dependency: -1'],
    [[[], [5]], 'steps[1] "s1": Step 1 has invalid dependency: 5'],
    [[[], [], [3]], 'steps[2] "s2": Step 2 has invalid dependency: 3'],
    [
      [[], [], [], [], []].map((_, i) => (i === 2 ? [3] : [])),
      'steps[2] "s2": Step 2 has forward dependency: 3',
    ],
  ])('keeps the reference wording for dependencies %j', (deps, expected) => {
    expect(problemsOf(withDependencies(deps))).toEqual([expected]);
  });

  it('accepts backward dependencies by index or by name', () => {
    const definition = validateWorkflow(withDependencies([[], [0], [0, 's1']]));
    expect(definition.steps.map((s) => s.dependencies)).toEqual([[], [0], [0, 1]]);
  });

  it('names an unknown or later step given by name', () => {
    expect(problemsOf(withDependencies([['s1'], ['nope']]))).toEqual([
      'steps[0] "s0": Step 0 has forward dependency: 1 ("s1")',
      'steps[1] "s1": Step 1 has invalid dependency: nope',
    ]);
  });

  it('reports every problem at once, naming each step and rule', () => {
    const spec = {
      name: 'wf',
      maxRecoveryAttempts: 11,
      steps: [
        stepNamed('a', { maxRetries: 11, timeout: 0 }),
        stepNamed('b', { estimatedDuration: -1 }),
        stepNamed('c'),
      ],
    };
    let error: WorkflowDefinitionError | undefined;
    try {
      validateWorkflow(spec);
    } catch (caught) {
      error = caught as WorkflowDefinitionError;
    }
    expect(error?.issues.map((issue) => issue.path).sort()).toEqual(
      [
        'maxRecoveryAttempts',
        'steps[0] "a".maxRetries',
        'steps[0] "a".timeout',
        'steps[1] "b".estimatedDuration',
      ].sort(),
    );
    expect(error?.message).toContain('Invalid workflow definition "wf": 4 problem(s)');
    expect(error?.message).toContain('steps[0] "a".maxRetries: must be between 0 and 10');
  });

  it('refuses duplicate names and duplicate dependencies together', () => {
    expect(
      problemsOf(
        withDependencies([[], [0, 0]], { steps: [stepNamed('x'), stepNamed('x', { dependencies: [0, 0] })] }),
      ),
    ).toEqual([
      'steps[1] "x": Step 1 repeats the name "x" of step 0',
      'steps[1] "x": Step 1 lists dependency 0 twice',
    ]);
  });

  it('needs between 1 and 100 steps', () => {
    expect(problemsOf({ name: 'wf', steps: [] })).toEqual(['steps: Workflow must have at least one step']);
    const many = { name: 'wf', steps: Array.from({ length: 101 }, (_, i) => stepNamed(`s${i}`)) };
    expect(problemsOf(many)).toEqual(['steps: Workflow has 101 steps; at most 100']);
  });

  it('caps a step timeout so that its Lambda, which gets 10 s more, stays within 900 s', () => {
    expect(problemsOf({ name: 'wf', steps: [stepNamed('slow', { timeout: 890 })] })).toEqual([]);
    expect(problemsOf({ name: 'wf', steps: [stepNamed('slow', { timeout: 891 })] })).toEqual([
      'steps[0] "slow".timeout: must be ≤ 890 (Lambda allows 900 s and the function gets 10 s more)',
    ]);
  });

  it('refuses unknown fields and bad handler paths', () => {
    expect(
      problemsOf({ name: 'wf', steps: [stepNamed('a', { handler: '/etc/passwd' })], extra: 1 }).sort(),
    ).toEqual([
      '(definition): Unrecognized key: "extra"',
      'steps[0] "a".handler: must be a module under functions/steps/ ending in .ts',
    ]);
  });

  it('applies the documented defaults', () => {
    const definition = validateWorkflow({
      name: 'wf',
      steps: [stepNamed('a', { taskType: 'label' }), stepNamed('b', { taskType: 'odd' })],
    });
    expect(definition.maxRecoveryAttempts).toBe(3);
    expect(definition.version).toBe('1');
    expect(definition.steps[0]).toMatchObject({
      maxRetries: 3,
      timeout: 600,
      estimatedDuration: 0,
      dependencies: [],
    });
    expect(definition.steps[0]?.retry).toEqual({ maxDelay: 60, jitter: false, nonRetryable: [] });
    expect(definition.steps[1]?.timeout).toBe(60);
  });
});
