/**
 * Named errors. The `name` is the contract: the API maps it to an HTTP status, and Step Functions
 * matches it in `Retry.ErrorEquals` (non-retryable errors fail a step at once). Each class states it
 * as a string: the bundles are minified without keeping class names (README, "Performance").
 */
export class OrchestratorError extends Error {
  override name = 'OrchestratorError';
}

export class NotFoundError extends OrchestratorError {
  override name = 'NotFoundError';

  constructor(
    readonly entity: 'Workflow' | 'Task' | 'Definition' | 'Job',
    readonly id: string,
  ) {
    super(`${entity} not found: ${id}`);
  }
}

export interface ValidationIssue {
  /** Where the problem is: a field path or a step (`steps[2] "label"`). */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export class ValidationError extends OrchestratorError {
  override name = 'ValidationError';

  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message);
  }
}

/** An invalid workflow definition; fails `cdk synth` and the API with every problem at once. */
export class WorkflowDefinitionError extends ValidationError {
  override name = 'WorkflowDefinitionError';
}

export type TransitionSubject = 'workflow' | 'task';

export class InvalidTransitionError extends OrchestratorError {
  override name = 'InvalidTransitionError';

  constructor(
    readonly subject: TransitionSubject,
    readonly action: string,
    readonly current: string,
    readonly wanted: string,
  ) {
    // Reference wording: `Cannot start workflow in running state`.
    super(`Cannot ${action} ${subject} in ${current} state`);
  }
}

export class RecoveryLimitError extends OrchestratorError {
  override name = 'RecoveryLimitError';

  constructor(
    readonly attempts: number,
    readonly maxAttempts: number,
  ) {
    super(`Workflow cannot be recovered (attempts: ${attempts}/${maxAttempts})`);
  }
}

export class InvalidCursorError extends ValidationError {
  override name = 'InvalidCursorError';

  constructor() {
    super('cursor is not a cursor returned by this API', [
      { path: 'cursor', rule: 'opaque', message: 'pass back the nextCursor of a previous page unchanged' },
    ]);
  }
}

/** Thrown by a step handler for a failure no retry can fix: Step Functions fails the step at once. */
export class FatalStepError extends OrchestratorError {
  override name = 'FatalStepError';
}

/** The workflow is paused: the step does not start, and the state machine parks at its pause gate. */
export class WorkflowPausedError extends OrchestratorError {
  override name = 'WorkflowPausedError';
}

/** The workflow was cancelled: the step does not start and the execution ends. */
export class WorkflowCancelledError extends OrchestratorError {
  override name = 'WorkflowCancelledError';
}

/** The invocation belongs to an execution that no longer runs this workflow (a recovery replaced it). */
export class StaleExecutionError extends OrchestratorError {
  override name = 'StaleExecutionError';
}

/** More of a fan-out step's items failed than it tolerates: retrying the step would not change that. */
export class ToleratedFailureExceededError extends OrchestratorError {
  override name = 'ToleratedFailureExceededError';
}

/** Errors that no retry can fix, whatever a step's own policy says; Step Functions fails them at once. */
export const NON_RETRYABLE_ERRORS = [
  'FatalStepError',
  'WorkflowPausedError',
  'WorkflowCancelledError',
  'StaleExecutionError',
  'ToleratedFailureExceededError',
] as const;
