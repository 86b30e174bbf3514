import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { isDistributedMap, localTaskFor, processorDefinition } from './distributed-map-state.js';
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
  /** An ItemProcessor's: a Distributed Map's has Mode DISTRIBUTED. */
  ProcessorConfig?: { Mode?: string; ExecutionType?: string };
}

/** A state machine of the template, ready to run on aws-local-stepfunctions. */
export interface RunnableMachine {
  readonly local: LocalStateMachine;
  readonly runner: StateMachine;
  /**
   * Every state by name, nested ones included (names are unique across a whole state machine), as
   * the template defines them: a Distributed Map is a Map here, with its ItemProcessor's states.
   */
  readonly states: Map<string, AslState>;
  /** The ItemProcessor of the Distributed Map state of that name, ready to run (made once). */
  processor(mapStateName: string): StateMachine;
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

/** Every `States` object of a machine, nested ones included, but a Distributed Map's processor. */
const allStateSets = (machine: AslMachine, into: Record<string, AslState>[] = []) => {
  into.push(machine.States);
  for (const state of Object.values(machine.States)) {
    for (const branch of state.Branches ?? []) allStateSets(branch, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor && !isDistributedMap(state)) allStateSets(processor, into);
  }
  return into;
};

/**
 * A copy of a definition the engine can run: each Distributed Map state replaced by its stand-in
 * Task (distributed-map-state.ts; its processor runs apart, see `processor`), task timeouts as AWS's.
 */
const engineDefinition = (definition: Record<string, unknown>): StateMachine => {
  const machine = structuredClone(definition) as unknown as AslMachine;
  for (const states of allStateSets(machine))
    for (const [name, state] of Object.entries(states))
      if (isDistributedMap(state)) states[name] = localTaskFor(state) as unknown as AslState;
  // The library defaults task timeouts to 60 s; AWS to 99999999 s (a paused workflow waits days).
  for (const state of allStates(machine).values())
    if (state.Type === 'Task' && !state.TimeoutSecondsPath)
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  if (machine.TimeoutSeconds) machine.TimeoutSeconds = Math.min(machine.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
  // The template's ASL is validated where it is made (test/infra, asl-validator); validating it again
  // here costs ~150 ms per state machine at every start.
  return new StateMachine(machine as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
};

export const runnableMachine = (local: LocalStateMachine): RunnableMachine => {
  const states = allStates(local.definition as unknown as AslMachine);
  const processors = new Map<string, StateMachine>();
  return {
    local,
    runner: engineDefinition(local.definition),
    states,
    processor(mapStateName) {
      const made = processors.get(mapStateName);
      if (made) return made;
      const state = states.get(mapStateName);
      if (!isDistributedMap(state)) throw new Error(`${mapStateName} is not a Distributed Map state`);
      const processor = engineDefinition(processorDefinition(state));
      processors.set(mapStateName, processor);
      return processor;
    },
  };
};
