import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { RESULTS_KEY_PREFIX } from '../../functions/config/environment.js';
import { stepKey } from '../../functions/contract/execution.js';
import type { ForEach } from '../../functions/contract/fan-out.js';
import type { WorkflowStep } from '../dsl.js';

/** ItemReader of the run's work list: reads only under `results/`, where the step wrote it. */
class WorkListReader extends sfn.S3JsonLItemReader {
  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${RESULTS_KEY_PREFIX}*`)],
      }),
    ];
  }
}

/** ResultWriter of the Map Run's files: writes only under `results/`. */
class MapRunWriter extends sfn.ResultWriterV2 {
  constructor(
    private readonly target: s3.IBucket,
    prefix: string,
  ) {
    super({ bucket: target, prefix });
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.target.arnForObjects(`${RESULTS_KEY_PREFIX}*`)],
      }),
    ];
  }
}

export interface FanOutProps {
  readonly step: WorkflowStep & { forEach: ForEach };
  readonly fn: lambda.IFunction;
  readonly bucket: s3.IBucket;
  /** The step's payload (the same as a plain step's): `prepare` and `finish` receive it with their phase. */
  readonly payload: Record<string, unknown>;
}

/** The step's own retry policy: 1 s, 2 s, 4 s … capped at `retry.maxDelay`, optional full jitter. */
export const stepPolicyRetry = (step: WorkflowStep): sfn.RetryProps => ({
  errors: [sfn.Errors.ALL],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: step.maxRetries,
  maxDelay: Duration.seconds(step.retry.maxDelay),
  ...(step.retry.jitter ? { jitterStrategy: sfn.JitterType.FULL } : {}),
});

/** The Map Run label of a fan-out step: names its child executions (`<machine>/<label>:<id>`). */
export const mapRunLabel = (step: Pick<WorkflowStep, 'index'>): string => `items-${step.index}`;

/** Where `prepare` leaves this run's work list in the state (docs/behaviour.md, "Fan-out"). */
const workPath = (step: WorkflowStep) => `$.fanout.${stepKey(step.index)}`;

/**
 * A fan-out step's body: `prepare` (the run's attempt, and its work list of items that did not
 * succeed yet), a Distributed Map over that list in batches of Express child executions, then
 * `finish` (the ledger's verdict against the tolerance, and the step's result). Per-item retries
 * happen inside a batch with the step's backoff, so the Map itself tolerates every failure: the
 * ledger, not the Map Run, decides whether the step failed.
 */
export const fanOutStates = (scope: Construct, { step, fn, bucket, payload }: FanOutProps) => {
  const work = workPath(step);
  const prepare = new tasks.LambdaInvoke(scope, `Run ${step.name}`, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject({ ...payload, phase: 'prepare', forEach: step.forEach }),
    resultPath: work,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(step.timeout)),
  });

  const batchInput = {
    'workflowId.$': '$.workflowId',
    'jobId.$': '$.jobId',
    definition: payload.definition,
    step: step.name,
    stepIndex: step.index,
    'executionArn.$': '$$.Execution.Id',
    'correlationId.$': '$.correlationId',
    'runToken.$': '$.runToken',
    'ledger.$': `${work}.ledger`,
    maxRetries: step.maxRetries,
    maxDelay: step.retry.maxDelay,
    jitter: step.retry.jitter,
    nonRetryable: [...step.retry.nonRetryable],
  };
  const processBatch = new tasks.LambdaInvoke(scope, `Process ${step.name} batch`, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject({
      phase: 'batch',
      Items: sfn.JsonPath.listAt('$.Items'),
      BatchInput: sfn.JsonPath.objectAt('$.BatchInput'),
    }),
    taskTimeout: sfn.Timeout.duration(Duration.seconds(step.timeout)),
  });
  // A whole batch failing (timeout, crash) is retried with the step's policy: items done stay done.
  if (step.maxRetries > 0) processBatch.addRetry(stepPolicyRetry(step));
  // …and after its last attempt, every item of it not done gets an outcome: failed with that error.
  const recordBatchFailure = new tasks.LambdaInvoke(scope, `Record ${step.name} batch failure`, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
    payload: sfn.TaskInput.fromObject({
      phase: 'batch-failed',
      Items: sfn.JsonPath.listAt('$.Items'),
      BatchInput: sfn.JsonPath.objectAt('$.BatchInput'),
      error: sfn.JsonPath.objectAt('$.error'),
    }),
  });
  processBatch.addCatch(recordBatchFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

  const map = new sfn.DistributedMap(scope, `Items of ${step.name}`, {
    itemReader: new WorkListReader({ bucket, key: sfn.JsonPath.stringAt(`${work}.key`) }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: step.forEach.batchSize, batchInput }),
    maxConcurrency: step.forEach.maxConcurrency,
    toleratedFailurePercentage: 100,
    resultWriterV2: new MapRunWriter(bucket, sfn.JsonPath.stringAt(`${work}.resultPrefix`)),
    mapExecutionType: sfn.StateMachineType.EXPRESS,
    label: mapRunLabel(step),
    resultPath: sfn.JsonPath.DISCARD,
  });
  // ResultWriterV2 (dynamic prefix) is behind a feature flag: this state needs it, whatever the app sets.
  map.node.setContext(cxapi.STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);
  map.itemProcessor(processBatch);

  const finish = new tasks.LambdaInvoke(scope, `Finish ${step.name}`, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject({ ...payload, phase: 'finish', forEach: step.forEach }),
    // As a plain step: the result's reference, never the result (docs/behaviour.md, "Results").
    resultPath: `$.results.${stepKey(step.index)}`,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(step.timeout)),
  });
  prepare.next(map).next(finish);
  return { prepare, map, finish };
};
