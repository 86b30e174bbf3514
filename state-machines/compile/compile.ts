import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { stepKey } from '../../functions/contract/execution.js';
import { NON_RETRYABLE_ERRORS } from '../../functions/domain/errors.js';
import type { WorkflowDefinition, WorkflowStep } from '../dsl.js';
import { completionState, failureStates } from './failure-states.js';
import { fanOutStates, stepPolicyRetry } from './fan-out.js';
import { type Plan, planWorkflow } from './plan.js';

export interface CompileTables {
  readonly workflows: dynamodb.ITable;
  readonly tasks: dynamodb.ITable;
}

export interface CompileProps {
  readonly definition: WorkflowDefinition;
  /** The Lambda of each step, by step index. */
  readonly stepFunctions: readonly lambda.IFunction[];
  /** Parks the execution until resume: stores the task token it is given on the workflow. */
  readonly pauseGate: lambda.IFunction;
  readonly tables: CompileTables;
  /** The app's bucket: fan-out steps' work lists and Map Run results (docs/behaviour.md, "Fan-out"). */
  readonly resultsBucket: s3.IBucket;
}

/** Lambda service errors CDK retries by default; kept, but placed after the non-retryable ones. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

/**
 * Retry as docs/behaviour.md, "Retries" describes: named non-retryable errors fail at once; Lambda service errors keep
 * CDK's default; everything else gets the step's policy (1 s, 2 s, 4 s ... capped, optional jitter).
 */
const addRetries = (task: tasks.LambdaInvoke, step: WorkflowStep): void => {
  task.addRetry({ errors: [...NON_RETRYABLE_ERRORS, ...step.retry.nonRetryable], maxAttempts: 0 });
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
  });
  if (step.maxRetries > 0) task.addRetry(stepPolicyRetry(step));
};

/** What the step's Lambda receives from the state machine (StepEvent): fixed at synth but for the paths. */
const stepPayload = (props: CompileProps, step: WorkflowStep, completesWorkflow: boolean) => ({
  workflowId: sfn.JsonPath.stringAt('$.workflowId'),
  jobId: sfn.JsonPath.stringAt('$.jobId'),
  definition: props.definition.name,
  step: step.name,
  stepIndex: step.index,
  stepNames: props.definition.steps.map((s) => s.name),
  maxRetries: step.maxRetries,
  nonRetryable: [...step.retry.nonRetryable],
  completesWorkflow,
  executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'),
  // Which results the step may read: they are stored outside the state (docs/behaviour.md, "Results").
  dependencies: [...step.dependencies],
  correlationId: sfn.JsonPath.stringAt('$.correlationId'),
  runToken: sfn.JsonPath.stringAt('$.runToken'),
});

/**
 * The states that run a step: one Lambda task, or for a fan-out step its prepare → Map → finish.
 * `entry` is where the pause gate resumes; every state in `catching` gets the step's Catch.
 */
const runStates = (
  scope: Construct,
  props: CompileProps,
  step: WorkflowStep,
  fn: lambda.IFunction,
  completesWorkflow: boolean,
): { entry: tasks.LambdaInvoke; catching: (tasks.LambdaInvoke | sfn.DistributedMap)[] } => {
  const payload = stepPayload(props, step, completesWorkflow);
  const { forEach } = step;
  if (forEach) {
    const { prepare, map, finish } = fanOutStates(scope, {
      step: { ...step, forEach },
      fn,
      bucket: props.resultsBucket,
      payload,
    });
    addRetries(prepare, step);
    addRetries(finish, step);
    return { entry: prepare, catching: [prepare, map, finish] };
  }
  const run = new tasks.LambdaInvoke(scope, `Run ${step.name}`, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject(payload),
    // The step answers with its result's reference (bounded), never the result.
    resultPath: `$.results.${stepKey(step.index)}`,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(step.timeout)),
  });
  addRetries(run, step);
  return { entry: run, catching: [run] };
};

/** One step: skip it when a recovery run says so, else run it, with its pause gate and failure path. */
const compileStep = (
  scope: Construct,
  props: CompileProps,
  step: WorkflowStep,
  completesWorkflow: boolean,
): sfn.IChainable => {
  const fn = props.stepFunctions[step.index];
  if (!fn) throw new Error(`no function for step ${step.index} "${step.name}" of ${props.definition.name}`);
  const { entry, catching } = runStates(scope, props, step, fn, completesWorkflow);

  const gate = new tasks.LambdaInvoke(scope, `Paused before ${step.name}`, {
    lambdaFunction: props.pauseGate,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      workflowId: sfn.JsonPath.stringAt('$.workflowId'),
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      correlationId: sfn.JsonPath.stringAt('$.correlationId'),
      step: step.name,
      token: sfn.JsonPath.taskToken,
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  gate.next(entry);

  const cancelled = new sfn.Fail(scope, `Cancelled at ${step.name}`, {
    error: 'WorkflowCancelledError',
    cause: `Workflow cancelled before ${step.name}`,
  });
  const failed = failureStates(scope, step, props.tables);
  for (const state of catching) {
    // Only the step's own Lambda decides pause and cancel; a Map fails only as a whole.
    if (state instanceof tasks.LambdaInvoke) {
      state.addCatch(gate, { errors: ['WorkflowPausedError'], resultPath: sfn.JsonPath.DISCARD });
      state.addCatch(cancelled, {
        errors: ['WorkflowCancelledError', 'StaleExecutionError'],
        resultPath: '$.error',
      });
    }
    state.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  }

  const skipped = new sfn.Pass(scope, `Skip ${step.name}`);
  return new sfn.Choice(scope, `${step.name}?`)
    .when(sfn.Condition.isPresent(`$.skip.${stepKey(step.index)}`), skipped)
    .otherwise(entry)
    .afterwards();
};

/** Each branch returns the whole state; the join keeps one copy and merges every branch's result references. */
const mergedResults = (branches: number): string => {
  let expression = '$[0].results';
  for (let i = 1; i < branches; i++) expression = `States.JsonMerge(${expression}, $[${i}].results, false)`;
  return expression;
};

const compilePlan = (scope: Construct, props: CompileProps, plan: Plan, last?: number): sfn.IChainable => {
  switch (plan.kind) {
    case 'step':
      return compileStep(
        scope,
        props,
        props.definition.steps[plan.index] as WorkflowStep,
        plan.index === last,
      );
    case 'seq': {
      const [first, ...rest] = plan.items.map((item) => compilePlan(scope, props, item, last));
      let chain = sfn.Chain.start(first as sfn.IChainable);
      for (const next of rest) chain = chain.next(next);
      return chain;
    }
    case 'par': {
      const names = plan.branches.map((b) => firstStepName(props.definition, b)).join(' + ');
      const parallel = new sfn.Parallel(scope, `Parallel ${names}`.slice(0, 80), {
        resultSelector: {
          'workflowId.$': '$[0].workflowId',
          'jobId.$': '$[0].jobId',
          'correlationId.$': '$[0].correlationId',
          'runToken.$': '$[0].runToken',
          'indexShard.$': '$[0].indexShard',
          'skip.$': '$[0].skip',
          'results.$': mergedResults(plan.branches.length),
        },
      });
      for (const branch of plan.branches) parallel.branch(compilePlan(scope, props, branch));
      return parallel;
    }
  }
};

const firstStepName = (definition: WorkflowDefinition, plan: Plan): string =>
  plan.kind === 'step'
    ? (definition.steps[plan.index]?.name ?? '?')
    : firstStepName(definition, plan.kind === 'seq' ? (plan.items[0] as Plan) : (plan.branches[0] as Plan));

/** The step that always finishes last (the plan ends with it), if there is one. */
const finalStep = (plan: Plan): number | undefined => {
  if (plan.kind === 'step') return plan.index;
  const tail = plan.kind === 'seq' ? plan.items[plan.items.length - 1] : undefined;
  return tail?.kind === 'step' ? tail.index : undefined;
};

/**
 * The state machine body of a workflow definition: generated, never hand-written ASL. When one step
 * always finishes last, its own progress write completes the workflow; otherwise (the plan ends in
 * a Parallel) one conditional write after the join does.
 */
export const compileWorkflow = (scope: Construct, props: CompileProps): sfn.IChainable => {
  const plan = planWorkflow(props.definition.steps);
  const last = finalStep(plan);
  const body = compilePlan(scope, props, plan, last);
  return last === undefined ? sfn.Chain.start(body).next(completionState(scope, props.tables)) : body;
};
