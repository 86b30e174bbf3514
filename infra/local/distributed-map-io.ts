import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DistributedMapState } from './distributed-map-state.js';
import { namedError } from './task-errors.js';

/** What a Distributed Map's ItemReader and ResultWriter do, against the local S3. */

const READER_FAILED = 'States.ItemReaderFailed';
const WRITER_FAILED = 'States.ResultWriterFailed';

const integrationOf = (resource: string): string => resource.replace(/^arn:aws[\w-]*:states:::/, '');

const s3Failure = (name: string, what: string, error: unknown): Error => {
  const e = error as Error & { $metadata?: { httpStatusCode?: number } };
  if (e.name?.startsWith('States.')) return e;
  // An S3 error as the service integration words it; a parsing error as it is.
  const service = e.$metadata ? ` (Service: S3, Status Code: ${e.$metadata.httpStatusCode ?? 400})` : '';
  return namedError(name, `${what}: ${e.name ?? 'Error'}: ${e.message}${service}`);
};

const CSV_DELIMITERS: Record<string, string> = {
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  SPACE: ' ',
  TAB: '\t',
};

/** RFC 4180 rows: quoted fields may hold the delimiter, newlines and doubled quotes. */
const csvRows = (text: string, delimiter: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    // A blank line is no record.
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
};

type ReaderConfig = NonNullable<NonNullable<DistributedMapState['ItemReader']>['ReaderConfig']>;

const parseItems = (text: string, config: ReaderConfig, where: string): unknown[] => {
  const type = config.InputType ?? 'JSON';
  try {
    switch (type) {
      case 'JSON': {
        const items = JSON.parse(text) as unknown;
        if (!Array.isArray(items)) throw new Error('the object is not a JSON array');
        return items;
      }
      case 'JSONL':
        return text
          .split(/\r?\n/)
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown);
      case 'CSV': {
        const rows = csvRows(text, CSV_DELIMITERS[config.CSVDelimiter ?? 'COMMA'] ?? ',');
        const given = config.CSVHeaderLocation === 'GIVEN';
        const headers = given ? (config.CSVHeaders ?? []) : (rows.shift() ?? []);
        return rows.map((row) => Object.fromEntries(headers.map((h, i) => [h, row[i] ?? ''])));
      }
      default:
        throw namedError('States.Runtime', `ItemReader InputType ${type} is not supported locally`, true);
    }
  } catch (error) {
    throw s3Failure(READER_FAILED, `Could not read the items of ${where}`, error);
  }
};

/** The items an ItemReader gives: an object's (JSON, JSONL, CSV), or a listing's objects. */
export const readItems = async (
  s3: S3Client | undefined,
  reader: NonNullable<DistributedMapState['ItemReader']>,
  parameters: Record<string, unknown>,
  maxItems: number | undefined,
): Promise<unknown[]> => {
  if (!s3) throw namedError('States.Runtime', 'ItemReader: no local S3 endpoint was configured', true);
  const integration = integrationOf(reader.Resource);
  const limit = maxItems && maxItems > 0 ? maxItems : Number.POSITIVE_INFINITY;
  const where = `s3://${parameters.Bucket}/${parameters.Key ?? parameters.Prefix ?? ''}`;
  if (integration === 's3:getObject') {
    let text: string;
    try {
      const object = await s3.send(new GetObjectCommand(parameters as never));
      text = (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw s3Failure(READER_FAILED, `Could not read ${where}`, error);
    }
    return parseItems(text, reader.ReaderConfig ?? {}, where).slice(0, limit);
  }
  if (integration === 's3:listObjectsV2') {
    const items: unknown[] = [];
    let token: string | undefined;
    try {
      do {
        const input = { ...parameters, ...(token ? { ContinuationToken: token } : {}) };
        const page = await s3.send(new ListObjectsV2Command(input as ListObjectsV2CommandInput));
        for (const o of page.Contents ?? [])
          items.push({
            Etag: o.ETag,
            Key: o.Key,
            LastModified: Math.floor((o.LastModified?.getTime() ?? 0) / 1000),
            Size: o.Size,
            StorageClass: o.StorageClass ?? 'STANDARD',
          });
        token = page.NextContinuationToken;
      } while (token && items.length < limit);
    } catch (error) {
      throw s3Failure(READER_FAILED, `Could not list ${where}`, error);
    }
    return items.slice(0, limit);
  }
  throw namedError('States.Runtime', `ItemReader resource ${reader.Resource} is not supported locally`, true);
};

/** One child execution in a Map Run's result files (the fields AWS writes). */
export interface ChildResult {
  ExecutionArn?: string;
  Input: string;
  InputDetails: { Included: true };
  Name?: string;
  Output?: string;
  OutputDetails?: { Included: true };
  Error?: string;
  Cause?: string;
  RedriveCount?: number;
  RedriveStatus?: string;
  RedriveStatusReason?: string;
  StartDate?: string;
  StateMachineArn?: string;
  Status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING';
  StopDate?: string;
}

const FILE_STATUS = {
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  TIMED_OUT: 'FAILED',
  ABORTED: 'FAILED',
} as const;

/**
 * Writes a Map Run's results as AWS does: `<Prefix>/<map run id>/SUCCEEDED_0.json`, `FAILED_0.json`,
 * `PENDING_0.json` (each a JSON array, written only when not empty) and `manifest.json`, which lists
 * them; returns the manifest's location.
 */
export const writeResults = async (
  s3: S3Client | undefined,
  target: { Bucket?: string; Prefix?: string },
  mapRunArn: string,
  results: readonly ChildResult[],
): Promise<{ Bucket: string; Key: string }> => {
  if (!s3) throw namedError('States.Runtime', 'ResultWriter: no local S3 endpoint was configured', true);
  const bucket = String(target.Bucket);
  const prefix = target.Prefix ? (target.Prefix.endsWith('/') ? target.Prefix : `${target.Prefix}/`) : '';
  const folder = `${prefix}${mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1)}/`;
  const put = async (key: string, body: string) => {
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
      );
    } catch (error) {
      throw s3Failure(WRITER_FAILED, `Could not write s3://${bucket}/${key}`, error);
    }
  };
  const files: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  for (const kind of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    const entries = results.filter(
      (r) => (r.Status === 'PENDING' ? 'PENDING' : FILE_STATUS[r.Status]) === kind,
    );
    if (entries.length === 0) continue;
    const key = `${folder}${kind}_0.json`;
    const body = JSON.stringify(entries);
    await put(key, body);
    files[kind].push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifest = `${folder}manifest.json`;
  await put(
    manifest,
    JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files }),
  );
  return { Bucket: bucket, Key: manifest };
};
