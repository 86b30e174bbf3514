import type { ForEachSpec, StepSpec, WorkflowSpec } from './dsl.js';

/*
 * Templates: functions that return a definition (a WorkflowSpec, for defineWorkflow) of a common
 * shape, wiring the dependencies so a definition names only its steps (README, "Add your own
 * workflow"). Every step keeps all of the DSL's fields but `dependencies`.
 */

/** A step as a template takes it: the template sets its dependencies; its task type defaults to its name. */
export type TemplateStep = Omit<StepSpec, 'dependencies' | 'taskType'> & { readonly taskType?: string };

/** A per-item step: its items are the previous step's result, so its `forEach` names no source. */
export type ItemStep = Omit<TemplateStep, 'forEach'> & { readonly forEach?: Omit<ForEachSpec, 'items'> };

/** The definition's own fields: name, version, description, maxRecoveryAttempts, parameters. */
export type TemplateHeader = Omit<WorkflowSpec, 'steps'>;

const stepOf = ({ taskType, ...step }: TemplateStep, dependencies: readonly string[]): StepSpec => ({
  ...step,
  taskType: taskType ?? step.name,
  ...(dependencies.length > 0 ? { dependencies: [...dependencies] } : {}),
});

/** Each step after the first depends on the one before it; the first on `after`. */
const chain = (steps: readonly TemplateStep[], after: readonly string[] = []): StepSpec[] =>
  steps.map((step, index) => stepOf(step, index === 0 ? after : [steps[index - 1]?.name as string]));

const lastOf = (steps: readonly { name: string }[]): string[] => steps.slice(-1).map((step) => step.name);

/** a → b → c: each step waits for the one before it. */
export const linearPipeline = ({
  steps,
  ...header
}: TemplateHeader & { readonly steps: readonly TemplateStep[] }): WorkflowSpec => ({
  ...header,
  steps: chain(steps),
});

/**
 * before… → { branch, branch, … } → after…: the `before` steps in a line, then the branches in
 * parallel (each waits for the last `before` step), then the `after` steps, the first waiting for
 * every branch.
 */
export const fanOutFanIn = ({
  before = [],
  branches,
  after = [],
  ...header
}: TemplateHeader & {
  readonly before?: readonly TemplateStep[];
  readonly branches: readonly TemplateStep[];
  readonly after?: readonly TemplateStep[];
}): WorkflowSpec => {
  const fork = lastOf(before);
  const join = branches.length > 0 ? branches.map((branch) => branch.name) : fork;
  return {
    ...header,
    steps: [...chain(before), ...branches.map((branch) => stepOf(branch, fork)), ...chain(after, join)],
  };
};

/**
 * list → per-item steps… → { combine, … } → package: `list` returns `{ items }`; each per-item step
 * fans out over the previous step's items (docs/behaviour.md, "Fan-out"); the `combine` steps read
 * the processed items in parallel; `package` waits for all of them.
 */
export const itemPipeline = ({
  list,
  perItem,
  combine = [],
  package: packageStep,
  ...header
}: TemplateHeader & {
  readonly list: TemplateStep;
  readonly perItem: readonly ItemStep[];
  readonly combine?: readonly TemplateStep[];
  readonly package: TemplateStep;
}): WorkflowSpec =>
  fanOutFanIn({
    ...header,
    before: [
      list,
      ...perItem.map((step, index) => ({
        ...step,
        forEach: {
          ...step.forEach,
          items: { fromStep: (index === 0 ? list : perItem[index - 1])?.name as string },
        },
      })),
    ],
    branches: combine,
    after: [packageStep],
  });
