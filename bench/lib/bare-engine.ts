import '../../infra/local/polyfills.js';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type Handlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

interface AslState {
  Type: string;
  Branches?: { States: Record<string, AslState> }[];
}

const taskStates = (states: Record<string, AslState>, into: string[] = []): string[] => {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') into.push(name);
    for (const branch of state.Branches ?? []) taskStates(branch.States, into);
  }
  return into;
};

/**
 * The same ASL on aws-local-stepfunctions with every Task answered at once (no Lambda, no DynamoDB):
 * the floor the local orchestration is compared with. Resolves with each execution's latency (ms).
 */
export const runBare = async (
  definition: Record<string, unknown>,
  input: object,
  concurrency: number,
): Promise<number[]> => {
  const machine = new StateMachine(definition as unknown as StateMachineDefinition);
  const handlers: Handlers = {};
  for (const name of taskStates(definition.States as Record<string, AslState>))
    handlers[name] = async () => ({});
  return Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const began = performance.now();
      await machine.run({ ...input, workflowId: `bare-${i}` } as never, {
        overrides: { taskResourceLocalHandlers: handlers },
        context: { Execution: { Id: `bare-${i}` } },
      }).result;
      return performance.now() - began;
    }),
  );
};
