import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Retrier } from './retry-scaler.js';
import type { LocalStateMachine } from './template.js';

/** The fields of an ASL state this emulation reads. */
export interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  Retry?: Retrier[];
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}
interface AslMachine {
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/** A state machine of the template, ready to run on aws-local-stepfunctions. */
export interface RunnableMachine {
  readonly local: LocalStateMachine;
  readonly runner: StateMachine;
  /** Every state by name, nested ones included (names are unique across a whole state machine). */
  readonly states: Map<string, AslState>;
}

/** setTimeout holds at most 2^31-1 ms; AWS's default task timeout (99999999 s) would overflow to 1 ms. */
const MAX_TIMEOUT_SECONDS = 2_147_483;

/** Every state of a machine, nested ones included, in place: callers may patch them. */
const allStates = (machine: AslMachine, into = new Map<string, AslState>()): Map<string, AslState> => {
  for (const [name, state] of Object.entries(machine.States)) {
    into.set(name, state);
    for (const branch of state.Branches ?? []) allStates(branch, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) allStates(processor, into);
  }
  return into;
};

export const runnableMachine = (local: LocalStateMachine): RunnableMachine => {
  const definition = structuredClone(local.definition) as unknown as AslMachine;
  const states = allStates(definition);
  // The library defaults task timeouts to 60 s; AWS to 99999999 s (a paused workflow waits days).
  for (const state of states.values())
    if (state.Type === 'Task' && !state.TimeoutSecondsPath)
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  if (definition.TimeoutSeconds)
    definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
  // The template's ASL is validated where it is made (test/infra, asl-validator); validating it again
  // here costs ~150 ms per state machine at every start.
  const runner = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  return { local, runner, states: allStates(local.definition as unknown as AslMachine) };
};
