/** Executions are named `<workflowId>-<run>`: a retried start is the same execution, never a second one. */
export const executionName = (workflowId: string, run: number): string => `${workflowId}-${run}`;

/** The ARN an execution of `stateMachineArn` named `name` has (known before it is started). */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Link to the execution in the Step Functions console. */
export const consoleUrlOf = (executionArn: string): string => {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
};

/** `Execution TIMED_OUT: States.Timeout (cause)`: what the record says when the machine could not. */
export const executionFailureMessage = (d: {
  status: string;
  error?: string | null;
  cause?: string | null;
}) => `Execution ${d.status}${d.error ? `: ${d.error}` : ''}${d.cause ? ` (${d.cause.slice(0, 500)})` : ''}`;
