/**
 * An error as a state sees it: `name` is what Retry and Catch match. A fatal one (States.Runtime,
 * States.DataLimitExceeded) is neither retried nor caught: isRetryable/isCatchable are how
 * aws-local-stepfunctions tells them from ordinary task errors.
 */
export const namedError = (name: string, message: string, fatal = false): Error =>
  Object.assign(new Error(message), { name }, fatal ? { isRetryable: false, isCatchable: false } : {});
