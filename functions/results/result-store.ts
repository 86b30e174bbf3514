import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { perConfiguration, RESULTS_KEY_PREFIX, setting } from '../config/environment.js';
import type { ResultReference } from '../contract/execution.js';
import { FatalStepError } from '../domain/errors.js';
import type { TaskRecord } from '../domain/records.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';

/** Kept with the task item up to this size: one DynamoDB write unit holds it with the rest. */
export const INLINE_RESULT_BYTES = 1024;
/** The largest result a step may return, as JSON. */
export const MAX_RESULT_BYTES = 50 * 1024 * 1024;

/** Where a step's result went: with the task (`result`) or in the bucket (`resultObject`). */
export interface StoredResult {
  readonly reference: ResultReference;
  readonly result: Record<string, unknown>;
  readonly resultObject?: NonNullable<TaskRecord['resultObject']>;
}

/** Which attempt of which run produced a result: its object key, so attempts never overwrite each other. */
export interface ResultOwner {
  readonly workflowId: string;
  readonly step: string;
  readonly stepIndex: number;
  readonly runToken?: string;
  readonly attempt: number;
}

/** A result small enough to stay with its task item, as stored; undefined for a larger one. */
export const inlineResult = (result: Record<string, unknown>): StoredResult | undefined => {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  return bytes <= INLINE_RESULT_BYTES ? { reference: { stored: 'task', bytes }, result } : undefined;
};

/**
 * Step results outside the execution state (docs/behaviour.md, "Results"): a small one stays with
 * its task item, a larger one becomes an object of the results bucket, written before the task
 * records it, so a recorded reference always points at a whole object. An attempt that loses the
 * race to record its result leaves an object nothing references; the bucket's lifecycle removes it.
 */
export class ResultStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async save(owner: ResultOwner, result: Record<string, unknown>): Promise<StoredResult> {
    const inline = inlineResult(result);
    if (inline) return inline;
    const body = JSON.stringify(result);
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_RESULT_BYTES)
      throw new FatalStepError(
        `The result of step "${owner.step}" is ${bytes} bytes, over the limit of ${MAX_RESULT_BYTES} bytes (50 MB)`,
      );
    const key = `${this.ownerPrefix(owner)}.json`;
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
    return {
      reference: { stored: 's3', bytes },
      result: {},
      resultObject: { bucket: this.bucket, key, bytes },
    };
  }

  get bucketName(): string {
    return this.bucket;
  }

  /**
   * A JSON Lines object of a fan-out step's run (`work`: its work list for the Map's ItemReader), named
   * like results so attempts never overwrite each other; the bucket's lifecycle expires it with them.
   */
  async saveLines(owner: ResultOwner, kind: string, lines: readonly unknown[]): Promise<{ key: string }> {
    const key = `${this.ownerPrefix(owner)}.${kind}.jsonl`;
    const body = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/jsonl' }),
    );
    return { key };
  }

  /** A JSON object of the bucket under `results/` (a fan-out batch's item results: item-results.ts). */
  async saveJson(key: string, value: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  async loadJson(key: string): Promise<unknown> {
    const object = await this.s3
      .send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))
      .catch((error) => {
        if (['NoSuchKey', 'AccessDenied'].includes((error as Error).name))
          throw new FatalStepError(
            `s3://${this.bucket}/${key} is no longer stored: results are kept for the retention period (RETENTION_DAYS)`,
          );
        throw error;
      });
    return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null');
  }

  /** Where a run's objects go: `results/<workflow>/<step index>/<run>-<attempt>`. */
  ownerPrefix(owner: ResultOwner): string {
    return `${RESULTS_KEY_PREFIX}${owner.workflowId}/${owner.stepIndex}/${owner.runToken ?? 'run'}-${owner.attempt}`;
  }

  /** The items of a JSON Lines (or JSON array) object of the app's bucket: a fan-out step's manifest. */
  async loadItems(key: string): Promise<unknown[]> {
    const object = await this.s3
      .send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))
      .catch((error) => {
        if (['NoSuchKey', 'AccessDenied'].includes((error as Error).name))
          throw new FatalStepError(`The item manifest s3://${this.bucket}/${key} does not exist`);
        throw error;
      });
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    const trimmed = text.trim();
    if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
    return trimmed === ''
      ? []
      : trimmed.split('\n').flatMap((line, number) => {
          if (line.trim() === '') return [];
          try {
            return [JSON.parse(line) as unknown];
          } catch {
            throw new FatalStepError(
              `The item manifest s3://${this.bucket}/${key}: line ${number + 1} is not JSON`,
            );
          }
        });
  }

  /** A task's result, wherever it is stored. */
  async load(
    task: Pick<TaskRecord, 'taskName' | 'result' | 'resultObject'>,
  ): Promise<Record<string, unknown>> {
    if (!task.resultObject) return task.result;
    const { bucket, key } = task.resultObject;
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((error) => {
      // Gone for good (the lifecycle expired it; without ListBucket S3 says AccessDenied): no retry helps.
      if (['NoSuchKey', 'AccessDenied'].includes((error as Error).name))
        throw new FatalStepError(
          `The result of step "${task.taskName}" is no longer stored (s3://${bucket}/${key}): results are kept for the retention period (RETENTION_DAYS)`,
        );
      throw error;
    });
    const text = await object.Body?.transformToString('utf8');
    if (text === undefined) throw new Error(`result object s3://${bucket}/${key} has no body`);
    return JSON.parse(text) as Record<string, unknown>;
  }
}

/** The store of a handler, from its configuration (the bucket variable; S3 through AWS_ENDPOINT_URL_S3 locally). */
export const resultStoreFromEnv = perConfiguration(
  ['resultsBucket'],
  (env) => new ResultStore(new S3Client({ ...sdkRetryConfig(env) }), setting('resultsBucket', env)),
);
