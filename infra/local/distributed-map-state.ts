/**
 * Distributed Map states, as the local engine runs them. aws-local-stepfunctions runs Map inline only
 * (no ItemReader, ItemBatcher or ResultWriter) and a Map state cannot be overridden, so the engine's
 * copy of the definition gets, in place of each Distributed Map, a Task state of the same name whose
 * local-only Resource the task bridge serves (distributed-map.ts). The template's definition, the one
 * AWS runs and DescribeStateMachine shows, is not touched.
 */

/** The Resource of the stand-in Task: no AWS integration has it. */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributedMap';

type Template = Record<string, unknown>;

/** The fields of a Distributed Map state the local engine reads (JSONPath query language). */
export interface DistributedMapState {
  Type: 'Map';
  ItemReader?: {
    Resource: string;
    ReaderConfig?: {
      InputType?: string;
      MaxItems?: number;
      MaxItemsPath?: string;
      CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
      CSVHeaders?: string[];
      CSVDelimiter?: string;
    };
    Parameters?: Template;
  };
  ItemsPath?: string;
  ItemSelector?: Template;
  /** The older name of ItemSelector. */
  Parameters?: Template;
  ItemBatcher?: {
    MaxItemsPerBatch?: number;
    MaxItemsPerBatchPath?: string;
    MaxInputBytesPerBatch?: number;
    MaxInputBytesPerBatchPath?: string;
    BatchInput?: Template;
  };
  ResultWriter?: { Resource?: string; Parameters?: Template; WriterConfig?: Template };
  ItemProcessor: {
    ProcessorConfig?: { Mode?: string; ExecutionType?: string };
    StartAt: string;
    States: Template;
  };
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number;
  ToleratedFailureCountPath?: string;
  Label?: string;
}

/**
 * What the stand-in Task's Parameters evaluate to: every JSONPath of the Map state, evaluated by the
 * engine against the state's input (after InputPath), with the execution's `$$` context.
 */
export interface DistributedMapParameters {
  /** ItemReader.Parameters: Bucket, Key (getObject) or Bucket, Prefix... (listObjectsV2). */
  ItemReader?: Record<string, unknown>;
  /** ItemsPath's value (the state's input without ItemsPath), when there is no ItemReader. */
  Items?: unknown;
  BatchInput?: unknown;
  /** ResultWriter.Parameters: Bucket, Prefix. */
  ResultWriter?: { Bucket?: string; Prefix?: string };
  /** The state's input, for ItemSelector (evaluated per item, with `$$.Map.Item`). */
  SelectorInput?: unknown;
  MaxItems?: number;
  MaxItemsPerBatch?: number;
  MaxInputBytesPerBatch?: number;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  ToleratedFailureCount?: number;
}

interface AnyState {
  Type?: string;
  ItemReader?: unknown;
  ItemProcessor?: { ProcessorConfig?: { Mode?: string } };
}

export const isDistributedMap = (state: AnyState | undefined): state is DistributedMapState =>
  state?.Type === 'Map' &&
  (state.ItemReader !== undefined || state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED');

/** The fields the stand-in keeps as they are: the engine applies them around the task's result. */
const KEPT = [
  'Comment',
  'InputPath',
  'ResultSelector',
  'ResultPath',
  'OutputPath',
  'Retry',
  'Catch',
  'Next',
  'End',
];

/** `{ "Name.$": path }` when the path is set. */
const path = (name: string, value: string | undefined): Template => (value ? { [`${name}.$`]: value } : {});

/** The Task state the engine runs in place of a Distributed Map state. */
export const localTaskFor = (state: DistributedMapState): Template => {
  const kept = Object.fromEntries(
    KEPT.filter((key) => key in state).map((key) => [key, state[key as never]]),
  );
  const reader = state.ItemReader;
  const batcher = state.ItemBatcher;
  const selector = state.ItemSelector ?? state.Parameters;
  return {
    Type: 'Task',
    Resource: DISTRIBUTED_MAP_RESOURCE,
    Parameters: {
      ...(reader ? { ItemReader: reader.Parameters ?? {} } : path('Items', state.ItemsPath ?? '$')),
      ...(batcher?.BatchInput ? { BatchInput: batcher.BatchInput } : {}),
      ...(state.ResultWriter?.Parameters ? { ResultWriter: state.ResultWriter.Parameters } : {}),
      ...(selector ? path('SelectorInput', '$') : {}),
      ...path('MaxItems', reader?.ReaderConfig?.MaxItemsPath),
      ...path('MaxItemsPerBatch', batcher?.MaxItemsPerBatchPath),
      ...path('MaxInputBytesPerBatch', batcher?.MaxInputBytesPerBatchPath),
      ...path('MaxConcurrency', state.MaxConcurrencyPath),
      ...path('ToleratedFailurePercentage', state.ToleratedFailurePercentagePath),
      ...path('ToleratedFailureCount', state.ToleratedFailureCountPath),
    },
    ...kept,
  };
};

/** The state machine a Distributed Map runs for each item or batch: its ItemProcessor, as ASL. */
export const processorDefinition = (state: DistributedMapState): Template => {
  const { ProcessorConfig: _, ...processor } = state.ItemProcessor;
  return structuredClone(processor) as Template;
};
