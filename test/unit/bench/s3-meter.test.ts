import { describe, expect, it } from 'vitest';
import { GET_TIER, PUT_TIER, s3OperationOf, s3RequestsOf } from '../../../bench/lib/s3-meter.js';

const op = (method: string, url: string, headers: Record<string, string> = {}) =>
  s3OperationOf({ method, url, headers });

describe('the bench S3 meter', () => {
  it('names path-style requests by their S3 operation', () => {
    expect(op('PUT', '/bucket/results/w/0/run-1.json?x-id=PutObject')).toBe('PutObject');
    expect(op('GET', '/bucket/results/w/0/run-1.json?x-id=GetObject')).toBe('GetObject');
    expect(op('HEAD', '/bucket/a/b')).toBe('HeadObject');
    expect(op('DELETE', '/bucket/a')).toBe('DeleteObject');
    expect(op('PUT', '/bucket/a', { 'x-amz-copy-source': '/bucket/b' })).toBe('CopyObject');
    expect(op('PUT', '/bucket/a?partNumber=1&uploadId=u')).toBe('UploadPart');
    expect(op('PUT', '/bucket')).toBe('CreateBucket');
    expect(op('PUT', '/bucket?lifecycle')).toBe('PutBucketConfiguration');
    expect(op('GET', '/bucket?list-type=2&prefix=results%2F')).toBe('ListObjects');
    expect(op('GET', '/bucket?prefix=results%2F')).toBe('ListObjects');
    expect(op('GET', '/bucket?policy')).toBe('GetBucketConfiguration');
    expect(op('HEAD', '/bucket')).toBe('HeadBucket');
    expect(op('GET', '/')).toBe('ListBuckets');
  });

  it('sums requests by billing tier (DELETE is free)', () => {
    const usage = {
      requests: { PutObject: 4, ListObjects: 1, GetObject: 5, HeadObject: 2, DeleteObject: 3 },
    };
    expect(s3RequestsOf(usage, PUT_TIER)).toBe(5);
    expect(s3RequestsOf(usage, GET_TIER)).toBe(7);
  });
});
