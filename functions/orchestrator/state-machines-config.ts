/** Env var holding `{ "<definition name>": "<state machine ARN>" }`, set by the stack. */
export const STATE_MACHINES_ENV = 'STATE_MACHINES';

export type StateMachineArns = Readonly<Record<string, string>>;

export const stateMachineArnsFromEnv = (env: NodeJS.ProcessEnv = process.env): StateMachineArns => {
  const raw = env[STATE_MACHINES_ENV];
  if (!raw)
    throw new Error(
      `Environment variable ${STATE_MACHINES_ENV} is not set: it maps definitions to state machines`,
    );
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error(`${STATE_MACHINES_ENV} is not a JSON object`);
  return parsed as StateMachineArns;
};
