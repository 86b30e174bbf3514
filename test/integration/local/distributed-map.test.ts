import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readItems } from '../../../infra/local/distributed-map-io.js';
import { LocalLambdaRuntime } from '../../../infra/local/lambda-runtime.js';
import { LocalStepFunctions } from '../../../infra/local/step-functions.js';
import { TaskTokens } from '../../../infra/local/task-tokens.js';
import { createTemplateBuckets } from '../../../infra/local/template-buckets.js';
import { type BatchItem, fixtureState } from '../../fixtures/local/handler.js';
import { fixtureTemplate } from '../../fixtures/local/stack.js';
import { until } from '../../support/fixture-sfn.js';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const bucket = `local-dmap-${randomUUID().slice(0, 8)}`;
const machineArn = (name: string) => `arn:aws:states:${region}:000000000000:stateMachine:${name}`;
const MAP_RUN =
  /^arn:aws:states:us-east-1:000000000000:mapRun:fixture-distributed-map\/Items download:([0-9a-f-]{36})$/;

let s3: S3Client;
let stepFunctions: LocalStepFunctions;

beforeAll(async () => {
  const template = fixtureTemplate(`local-dmap-${randomUUID().slice(0, 8)}`, {
    distributedMapBucket: bucket,
  });
  const s3Endpoint = inject('s3Endpoint');
  await createTemplateBuckets(template, s3Endpoint, region);
  s3 = new S3Client({ endpoint: s3Endpoint, region, credentials, forcePathStyle: true });
  stepFunctions = new LocalStepFunctions({
    template,
    region,
    dynamoEndpoint: inject('dynamoEndpoint'),
    s3Endpoint,
    lambda: new LocalLambdaRuntime({ template, region, environment: {} }),
    tokens: new TaskTokens(),
    retryIntervalScale: 0.01,
  });
});

afterAll(() => {
  stepFunctions?.destroy();
  s3?.destroy();
});

const items = (count: number, patch: Record<number, Partial<BatchItem>> = {}): BatchItem[] =>
  Array.from({ length: count }, (_, id) => ({ id, ...patch[id] }));

/** Puts the items as a JSONL object, then starts the Distributed Map on it (runId names the run). */
const start = async (runId: string, list: BatchItem[], extra: Record<string, unknown> = {}) => {
  const key = `inputs/${runId}.jsonl`;
  const body = list.map((item) => JSON.stringify(item)).join('\n');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const input = { bucket, key, runId, ms: 30, tolerated: 0, resultPrefix: `results/${runId}`, ...extra };
  return stepFunctions.startExecution({
    stateMachineArn: machineArn('fixture-distributed-map'),
    input: JSON.stringify(input),
  }).executionArn;
};
const finished = async (arn: string) => {
  const final = await stepFunctions.waitFor(arn);
  return { ...final, result: final.output ? JSON.parse(final.output) : undefined };
};

const readJson = async (key: string) => {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) as string);
};
/** The Map Run's manifest and result files, found under the run's prefix. */
const results = async (runId: string) => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `results/${runId}/` }));
  const keys = (listed.Contents ?? []).map((o) => o.Key as string).sort();
  const manifestKey = keys.find((key) => key.endsWith('/manifest.json')) as string;
  const manifest = await readJson(manifestKey);
  const file = async (kind: 'SUCCEEDED' | 'FAILED' | 'PENDING') => {
    const [entry] = manifest.ResultFiles[kind] as { Key: string }[];
    return entry ? ((await readJson(entry.Key)) as Record<string, unknown>[]) : [];
  };
  return {
    keys,
    manifestKey,
    manifest,
    succeeded: await file('SUCCEEDED'),
    failed: await file('FAILED'),
    pending: await file('PENDING'),
  };
};

describe('a Distributed Map state on the local engine', () => {
  it('reads every JSONL item from S3, in batches with their BatchInput, MaxConcurrency at a time, and writes the results', async () => {
    const arn = await start('r1', items(10));
    const final = await finished(arn);
    expect(final.status).toBe('SUCCEEDED');
    const { MapRunArn, ResultWriterDetails } = final.result.map;
    const mapRunId = MAP_RUN.exec(MapRunArn)?.[1];
    expect(mapRunId).toBeDefined();
    expect(ResultWriterDetails).toEqual({ Bucket: bucket, Key: `results/r1/${mapRunId}/manifest.json` });

    const calls = fixtureState.batches.r1;
    expect([...(calls?.sizes ?? [])].sort()).toEqual([2, 4, 4]);
    expect(calls?.batchInputs).toEqual(Array(3).fill({ runId: 'r1', ms: 30, fixed: 7 }));
    expect(calls?.maxRunning).toBe(2);

    const written = await results('r1');
    expect(written.manifestKey).toBe(ResultWriterDetails.Key);
    // AWS writes no file for a status no child had.
    expect(written.keys).toEqual([
      `results/r1/${mapRunId}/SUCCEEDED_0.json`,
      `results/r1/${mapRunId}/manifest.json`,
    ]);
    expect(written.manifest).toMatchObject({
      DestinationBucket: bucket,
      MapRunArn,
      ResultFiles: {
        FAILED: [],
        PENDING: [],
        SUCCEEDED: [{ Key: `results/r1/${mapRunId}/SUCCEEDED_0.json` }],
      },
    });
    expect(written.succeeded).toHaveLength(3);
    for (const entry of written.succeeded)
      expect(entry).toMatchObject({
        ExecutionArn: expect.stringMatching(
          /^arn:aws:states:us-east-1:000000000000:express:fixture-distributed-map\/Items download:/,
        ),
        InputDetails: { Included: true },
        OutputDetails: { Included: true },
        StateMachineArn: `${machineArn('fixture-distributed-map')}/Items download`,
        Status: 'SUCCEEDED',
        StartDate: expect.any(String),
        StopDate: expect.any(String),
      });
    const processed = written.succeeded
      .flatMap((e) => JSON.parse(e.Output as string).processed)
      .sort((a, b) => a - b);
    expect(processed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(JSON.parse(written.succeeded[0]?.Input as string).BatchInput).toEqual({
      runId: 'r1',
      ms: 30,
      fixed: 7,
    });

    const history = (await stepFunctions.executionHistory(arn)).map((e) => e.type);
    expect(history).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    const [started] = (await stepFunctions.executionHistory(arn)).filter((e) => e.type === 'MapRunStarted');
    expect(started?.mapRunStartedEventDetails).toEqual({ mapRunArn: MapRunArn });
  });

  it("does not fail for a batch the child's Catch takes, nor for failures within the tolerated percentage", async () => {
    // Item 9 is alone in its batch with item 8: 2 failed items of 10 is 20%, under 25%.
    const arn = await start('r2', items(10, { 1: { fail: 'caught' }, 9: { fail: 'fatal' } }), {
      tolerated: 25,
    });
    const final = await finished(arn);
    expect(final.status).toBe('SUCCEEDED');
    expect(final.result.mapError).toBeUndefined();
    const written = await results('r2');
    expect(written.succeeded).toHaveLength(2);
    // The caught batch's child succeeded, with its Catch's output.
    const caught = written.succeeded.map((e) => JSON.parse(e.Output as string)).find((o) => o.error);
    expect(caught.error).toMatchObject({ Error: 'CaughtError' });
    expect(written.failed).toHaveLength(1);
    expect(written.failed[0]).toMatchObject({ Status: 'FAILED', Error: 'BatchError' });
    expect(JSON.parse(written.failed[0]?.Input as string).Items.map((i: BatchItem) => i.id)).toEqual([8, 9]);
    expect(written.pending).toEqual([]);
  });

  it('fails with States.ExceedToleratedFailureThreshold past the tolerance, starting no more children; the Catch takes it', async () => {
    const arn = await start('r3', items(12, { 0: { fail: 'fatal' } }));
    const final = await finished(arn);
    // Caught by the Map's Catch into $.mapError.
    expect(final.status).toBe('SUCCEEDED');
    expect(final.result.mapError).toMatchObject({ Error: 'States.ExceedToleratedFailureThreshold' });
    // Two children at a time: the first failed at once, the second finished, the third never started.
    expect(fixtureState.batches.r3?.sizes).toHaveLength(2);
    const written = await results('r3');
    expect([written.succeeded.length, written.failed.length, written.pending.length]).toEqual([1, 1, 1]);
    expect(written.pending[0]).toMatchObject({ Status: 'PENDING' });
    expect(JSON.parse(written.pending[0]?.Input as string).Items).toHaveLength(4);

    const history = await stepFunctions.executionHistory(arn);
    const failed = history.find((e) => e.type === 'MapRunFailed');
    expect(failed?.mapRunFailedEventDetails).toMatchObject({
      error: 'States.ExceedToleratedFailureThreshold',
    });
    expect(history.map((e) => e.type)).toContain('MapStateFailed');
  });

  it('fails the execution with States.DataLimitExceeded when a child input passes 256 KiB, which no Catch takes', async () => {
    // Four items of 70 000 characters: one batch of about 280 KB.
    const big = items(4).map((item) => ({ ...item, pad: 'x'.repeat(70_000) }));
    const final = await finished(await start('r4', big, { tolerated: 100 }));
    expect(final.status).toBe('FAILED');
    expect(final.error).toBe('States.DataLimitExceeded');
    expect(final.cause).toMatch(/input of child execution 0 of Map state 'Items download' has \d+ bytes/);
    expect(fixtureState.batches.r4).toBeUndefined();
  });

  it('stops its children when the execution is stopped', async () => {
    const arn = await start('r5', items(12), { ms: 200 });
    await until(() => (fixtureState.batches.r5?.sizes.length === 2 ? true : undefined), 'two batches');
    stepFunctions.stopExecution(arn, { error: 'Stop', cause: 'test' });
    expect((await stepFunctions.waitFor(arn)).status).toBe('ABORTED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fixtureState.batches.r5?.sizes).toHaveLength(2);
  });

  it('maps ItemsPath items through ItemSelector ($$.Map.Item.Index and Value), one child each, into an array', async () => {
    const { executionArn } = stepFunctions.startExecution({
      stateMachineArn: machineArn('fixture-items-map'),
      input: JSON.stringify({ items: ['a', 'b', 'c'], tag: 't' }),
    });
    const final = await finished(executionArn);
    expect(final.status).toBe('SUCCEEDED');
    expect(final.result).toEqual([
      { index: 0, value: 'a', tag: 't' },
      { index: 1, value: 'b', tag: 't' },
      { index: 2, value: 'c', tag: 't' },
    ]);
  });

  it('reads JSON arrays, CSV (quoted fields, given headers) and S3 listings, up to MaxItems', async () => {
    const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    await put('readers/items.json', '[1, 2, 3]');
    await put('readers/first-row.csv', 'id,name\r\n1,"a, b"\r\n2,"say ""hi"""\r\n');
    await put('readers/given.csv', 'x|y\n');
    const getObject = (InputType: string, extra: Record<string, unknown> = {}) => ({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType, ...extra },
    });
    const read = (reader: Parameters<typeof readItems>[1], Key: string, max?: number) =>
      readItems(s3, reader, { Bucket: bucket, Key }, max);
    expect(await read(getObject('JSON'), 'readers/items.json', 2)).toEqual([1, 2]);
    expect(await read(getObject('CSV'), 'readers/first-row.csv')).toEqual([
      { id: '1', name: 'a, b' },
      { id: '2', name: 'say "hi"' },
    ]);
    const given = getObject('CSV', {
      CSVHeaderLocation: 'GIVEN',
      CSVHeaders: ['a', 'b'],
      CSVDelimiter: 'PIPE',
    });
    expect(await read(given, 'readers/given.csv')).toEqual([{ a: 'x', b: 'y' }]);
    await expect(read(getObject('JSONL'), 'readers/missing.jsonl')).rejects.toMatchObject({
      name: 'States.ItemReaderFailed',
    });

    const listing = { Resource: 'arn:aws:states:::s3:listObjectsV2' };
    const listed = await readItems(s3, listing, { Bucket: bucket, Prefix: 'readers/' }, undefined);
    expect(listed.map((o) => (o as { Key: string }).Key).sort()).toEqual([
      'readers/first-row.csv',
      'readers/given.csv',
      'readers/items.json',
    ]);
    expect(listed[0]).toEqual({
      Etag: expect.any(String),
      Key: expect.any(String),
      LastModified: expect.any(Number),
      Size: expect.any(Number),
      StorageClass: 'STANDARD',
    });
  });
});
