import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envName, RESULTS_KEY_PREFIX } from '../../../functions/config/environment.js';
import { type LocalApp, startLocalApp } from '../../../infra/local/local-app.js';
import { startS3Server } from '../../../infra/local/s3-server.js';
import { bucketsOf, createTemplateBuckets } from '../../../infra/local/template-buckets.js';
import { type CfnTemplate, synthTemplate } from '../../../infra/synth.js';
import { workflowDefinitions } from '../../../state-machines/registry.js';

const region = 'us-east-1';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const client = (endpoint: string, credentials = { accessKeyId: 'local', secretAccessKey: 'local' }) =>
  new S3Client({ endpoint, region, credentials });

describe('local S3 server', () => {
  it('serves a real S3 API on 127.0.0.1 with any credentials; SDK defaults work, streamed uploads too', async () => {
    const server = await startS3Server();
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const s3 = client(server.endpoint, { accessKeyId: 'AKIAANYTHING', secretAccessKey: 'whatever' });
    try {
      const template = {
        Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'local-s3-test' } } },
      } as CfnTemplate;
      await createTemplateBuckets(template, server.endpoint, region);
      // Idempotent: a restart finds its buckets there.
      await createTemplateBuckets(template, server.endpoint, region);
      const body = randomBytes(1024 * 1024 + 17);
      // A stream of known length: SDK v3 sends it aws-chunked with a trailing CRC32 checksum.
      await s3.send(
        new PutObjectCommand({
          Bucket: 'local-s3-test',
          Key: 'results/streamed',
          Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]),
          ContentLength: body.length,
          ContentType: 'application/octet-stream',
        }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: 'local-s3-test', Key: 'results/streamed' }));
      expect(got.ContentLength).toBe(body.length);
      expect(got.ContentEncoding).toBeUndefined();
      expect(
        sha256(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      ).toBe(sha256(body));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'local-s3-test', Prefix: 'results/' }));
      expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['results/streamed', body.length]]);
      await s3.send(new DeleteObjectCommand({ Bucket: 'local-s3-test', Key: 'results/streamed' }));
      await expect(
        s3.send(new GetObjectCommand({ Bucket: 'local-s3-test', Key: 'results/streamed' })),
      ).rejects.toMatchObject({ name: 'NoSuchKey' });
    } finally {
      s3.destroy();
      await server.stop();
    }
  });

  it('refuses an aws-chunked body whose trailing checksum does not match (BadDigest), as S3 does', async () => {
    const server = await startS3Server();
    const s3 = client(server.endpoint);
    try {
      await createTemplateBuckets(
        { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'digest-test' } } } },
        server.endpoint,
        region,
      );
      const put = (checksum: string) => {
        const data = Buffer.from('hello, chunks');
        const body = Buffer.concat([
          Buffer.from(`${data.length.toString(16)}\r\n`),
          data,
          Buffer.from(`\r\n0\r\nx-amz-checksum-sha256:${checksum}\r\n\r\n`),
        ]);
        return new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(`${server.endpoint}/digest-test/results/chunked`, {
            method: 'PUT',
            headers: {
              'content-encoding': 'aws-chunked',
              'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
              'x-amz-decoded-content-length': String(data.length),
              'x-amz-trailer': 'x-amz-checksum-sha256',
              'content-length': String(body.length),
            },
          });
          req.on('error', reject);
          req.on('response', (res) => {
            let text = '';
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.end(body);
        });
      };
      const right = createHash('sha256').update('hello, chunks').digest('base64');
      const wrong = createHash('sha256').update('something else').digest('base64');
      expect(await put(wrong)).toMatchObject({ status: 400, text: expect.stringContaining('BadDigest') });
      expect((await put(right)).status).toBe(200);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'digest-test', Key: 'results/chunked' }));
      expect(await got.Body?.transformToString()).toBe('hello, chunks');
    } finally {
      s3.destroy();
      await server.stop();
    }
  });

  it('keeps its objects in dataDir across a restart; without one, its temporary folder goes at stop', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 's3-data-')), 's3');
    const template = {
      Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'kept-bucket' } } },
    } as CfnTemplate;
    const first = await startS3Server({ dataDir });
    let s3 = client(first.endpoint);
    await createTemplateBuckets(template, first.endpoint, region);
    await s3.send(
      new PutObjectCommand({ Bucket: 'kept-bucket', Key: 'results/kept.json', Body: '{"kept":true}' }),
    );
    s3.destroy();
    await first.stop();
    expect(existsSync(dataDir)).toBe(true);

    const second = await startS3Server({ dataDir });
    s3 = client(second.endpoint);
    try {
      await createTemplateBuckets(template, second.endpoint, region);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept-bucket', Key: 'results/kept.json' }));
      expect(await got.Body?.transformToString()).toBe('{"kept":true}');
    } finally {
      s3.destroy();
      await second.stop();
    }

    const temporary = await startS3Server();
    expect(existsSync(temporary.dataDir)).toBe(true);
    await temporary.stop();
    expect(existsSync(temporary.dataDir)).toBe(false);
  });
});

describe("the local app's buckets", () => {
  const definitions = workflowDefinitions.filter((d) => d.name === 'dataset-smoke');
  let template: CfnTemplate;
  beforeAll(() => {
    template = synthTemplate({ stage: `s3${randomBytes(3).toString('hex')}`, definitions });
  });

  it('starts a server of its own when given none, and stops it at close', async () => {
    const app = await startLocalApp({
      template,
      dynamoEndpoint: inject('dynamoEndpoint'),
      environment: { AUTOMATIC_RECOVERY: 'off' },
    });
    const [bucket] = bucketsOf(template, { region }).filter((b) => b.name.startsWith('job-orchestrator-'));
    const s3 = client(app.s3Endpoint);
    try {
      expect(app.s3Endpoint).not.toBe(inject('s3Endpoint'));
      await s3.send(new HeadBucketCommand({ Bucket: bucket?.name }));
    } finally {
      s3.destroy();
      await app.close();
    }
    await expect(fetch(app.s3Endpoint)).rejects.toThrow();
  });

  describe('on the test run’s S3 server', () => {
    let app: LocalApp;
    beforeAll(async () => {
      app = await startLocalApp({
        template,
        dynamoEndpoint: inject('dynamoEndpoint'),
        s3Endpoint: inject('s3Endpoint'),
        region,
        environment: { AUTOMATIC_RECOVERY: 'off' },
      });
    });
    afterAll(() => app?.close());

    it('creates every bucket of the template, named as RESULTS_BUCKET names it in the functions', () => {
      const buckets = bucketsOf(template, { region });
      expect(buckets.map((b) => b.name)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^job-orchestrator-s3[0-9a-f]{6}-000000000000-us-east-1$/),
        ]),
      );
      const withBucket = app.lambda.functions.filter((fn) => fn.environment[envName('resultsBucket')]);
      expect(withBucket.length).toBeGreaterThan(1);
      for (const fn of withBucket)
        expect(buckets.map((b) => b.name)).toContain(fn.environment[envName('resultsBucket')]);
      expect(process.env.AWS_ENDPOINT_URL_S3).toBe(inject('s3Endpoint'));
    });

    it('takes and returns a 5 MB object through the SDK, reached only by AWS_ENDPOINT_URL_S3', async () => {
      const name = app.lambda.functions.find((fn) => fn.environment[envName('resultsBucket')])?.environment[
        envName('resultsBucket')
      ];
      // As a handler builds it: no endpoint, region or credentials of its own.
      const s3 = new S3Client({});
      try {
        const body = randomBytes(5 * 1024 * 1024);
        const Key = `${RESULTS_KEY_PREFIX}wf-1/run-0/s0.json`;
        await s3.send(new PutObjectCommand({ Bucket: name, Key, Body: body }));
        const got = await s3.send(new GetObjectCommand({ Bucket: name, Key }));
        const bytes = await (
          got.Body as { transformToByteArray(): Promise<Uint8Array> }
        ).transformToByteArray();
        expect(bytes.length).toBe(body.length);
        expect(sha256(bytes)).toBe(sha256(body));
      } finally {
        s3.destroy();
      }
    });
  });
});
