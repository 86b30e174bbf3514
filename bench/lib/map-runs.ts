import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { RESULTS_KEY_PREFIX } from '../../functions/config/environment.js';
import type { BenchApp } from './bench-app.js';

/** One child execution of a Distributed Map, as its Map Run's result file tells it. */
export interface ChildExecution {
  /** The fan-out step's index in its definition. */
  readonly stepIndex: number;
  readonly status: string;
  /** StartDate to StopDate: what an Express child execution is billed on (rounded up to 100 ms). */
  readonly ms: number;
}

/** `results/<workflow>/<step index>/<run>-<attempt>.maprun/<map run id>/SUCCEEDED_0.json` */
const RESULT_FILE = /^[^/]+\/[^/]+\/(\d+)\/[^/]+\.maprun\/[^/]+\/(SUCCEEDED|FAILED|PENDING)_\d+\.json$/;

/**
 * Every child execution of a workflow's Map Runs, from the result files their ResultWriter left in
 * the results bucket (docs/behaviour.md, "Fan-out"). Read from the S3 server directly, not through
 * the meter: call it after the figures are taken, it is the bench's reading, not the app's.
 */
export const childExecutionsOf = async (bench: BenchApp, workflowId: string): Promise<ChildExecution[]> => {
  const s3 = new S3Client({
    endpoint: bench.s3ServerEndpoint,
    region: bench.app.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bench.resultsBucket,
          Prefix: `${RESULTS_KEY_PREFIX}${workflowId}/`,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const children: ChildExecution[] = [];
    for (const key of keys) {
      const match = RESULT_FILE.exec(key);
      if (!match) continue;
      const object = await s3.send(new GetObjectCommand({ Bucket: bench.resultsBucket, Key: key }));
      const entries = JSON.parse(await (object.Body?.transformToString() ?? '[]')) as {
        Status: string;
        StartDate?: string;
        StopDate?: string;
      }[];
      for (const entry of entries) {
        // A PENDING entry never started: no request, no duration.
        if (!entry.StartDate) continue;
        const ms = entry.StopDate ? Date.parse(entry.StopDate) - Date.parse(entry.StartDate) : 0;
        children.push({ stepIndex: Number(match[1]), status: entry.Status, ms });
      }
    }
    return children;
  } finally {
    s3.destroy();
  }
};
