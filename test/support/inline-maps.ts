import { resourcesOfType, stateMachinesOf } from '../../infra/local/template.js';
import type { CfnTemplate } from '../../infra/synth.js';

// biome-ignore lint/suspicious/noExplicitAny: ASL is untyped JSON.
type Asl = Record<string, any>;

/**
 * The oracle of the local Distributed Map (infra/local/distributed-map.ts): the same definition with
 * each Distributed Map spelled in plain ASL the engine runs by itself, with none of the local
 * stand-in's code. Its work list is read with the S3 SDK integration, split into lines and parsed
 * with intrinsics, batched with States.ArrayPartition, and each batch `{Items, BatchInput}` goes
 * through the same ItemProcessor as an inline Map (the engine's own Map). Only for small lists: the
 * items travel in the state.
 */
const inlineStates = (name: string, map: Asl): Record<string, Asl> => {
  const size = map.ItemBatcher?.MaxItemsPerBatch;
  if (!map.ItemReader?.Parameters || typeof size !== 'number')
    throw new Error(`${name}: the oracle handles an ItemReader with MaxItemsPerBatch only`);
  const exits = {
    ...(map.Catch ? { Catch: map.Catch } : {}),
    ...(map.Next ? { Next: map.Next } : { End: true }),
  };
  return {
    [name]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
      Parameters: map.ItemReader.Parameters,
      ResultSelector: { 'lines.$': "States.StringSplit($.Body, '\n')" },
      ResultPath: '$.oracle',
      ...(map.Catch ? { Catch: map.Catch } : {}),
      Next: `${name} parse`,
    },
    [`${name} parse`]: {
      Type: 'Map',
      ItemsPath: '$.oracle.lines',
      ItemSelector: { 'line.$': '$$.Map.Item.Value' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: `${name} line?`,
        States: {
          [`${name} line?`]: {
            Type: 'Choice',
            Choices: [{ Variable: '$.line', StringEquals: '', Next: `${name} blank` }],
            Default: `${name} json`,
          },
          [`${name} blank`]: { Type: 'Pass', Result: {}, End: true },
          [`${name} json`]: {
            Type: 'Pass',
            Parameters: { 'v.$': 'States.StringToJson($.line)' },
            OutputPath: '$.v',
            End: true,
          },
        },
      },
      ResultPath: '$.oracle.items',
      Next: `${name} batch`,
    },
    [`${name} batch`]: {
      Type: 'Pass',
      Parameters: { 'batches.$': `States.ArrayPartition($.oracle.items[?(@.i >= 0)], ${size})` },
      ResultPath: '$.oracle',
      Next: `${name} inline`,
    },
    [`${name} inline`]: {
      Type: 'Map',
      ItemsPath: '$.oracle.batches',
      ItemSelector: { 'Items.$': '$$.Map.Item.Value', BatchInput: map.ItemBatcher.BatchInput ?? {} },
      ItemProcessor: { ...map.ItemProcessor, ProcessorConfig: { Mode: 'INLINE' } },
      ...(map.MaxConcurrency ? { MaxConcurrency: map.MaxConcurrency } : {}),
      ResultPath: null,
      ...exits,
    },
  };
};

const isDistributed = (state: Asl): boolean =>
  state.Type === 'Map' &&
  (state.ItemReader !== undefined || state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED');

/** Rewrites a machine's states in place, Parallel branches included. */
const rewrite = (machine: Asl): void => {
  for (const [name, state] of Object.entries(machine.States as Record<string, Asl>)) {
    for (const branch of state.Branches ?? []) rewrite(branch);
    if (isDistributed(state)) {
      delete machine.States[name];
      Object.assign(machine.States, inlineStates(name, state));
    }
  }
};

/** The template with every state machine's Distributed Maps spelled as the oracle above. */
export const withInlineMaps = (template: CfnTemplate): CfnTemplate => {
  const copy = structuredClone(template);
  const resolved = new Map(
    stateMachinesOf(copy, { region: process.env.AWS_REGION ?? 'us-east-1' }).map((m) => [m.logicalId, m]),
  );
  for (const { logicalId, resource } of resourcesOfType(copy, 'AWS::StepFunctions::StateMachine')) {
    const definition = structuredClone(resolved.get(logicalId)?.definition) as Asl;
    rewrite(definition);
    // Resolved already (ARNs as the local app resolves them): a plain string needs no intrinsic.
    (resource.Properties as Asl).DefinitionString = JSON.stringify(definition);
    delete (resource.Properties as Asl).DefinitionSubstitutions;
  }
  return copy;
};
