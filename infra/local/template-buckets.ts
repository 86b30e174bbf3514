import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { CfnTemplate } from '../synth.js';
import { type ResolveOptions, resolveIntrinsics, resourcesOfType } from './template.js';

export interface TemplateBucket {
  readonly logicalId: string;
  /** What `Ref` of the bucket resolves to locally: the name handlers get in their environment. */
  readonly name: string;
}

/**
 * Every S3 bucket of a template, named as `Ref` names it locally (template.ts): its BucketName
 * resolved (the app's bucket, `job-orchestrator-<stage>-<account>-<region>`), else its logical id in
 * lower case. The same resolution gives RESULTS_BUCKET to the functions, so the two always agree.
 */
export const bucketsOf = (template: CfnTemplate, options: ResolveOptions): TemplateBucket[] =>
  resourcesOfType(template, 'AWS::S3::Bucket').map(({ logicalId }) => ({
    logicalId,
    name: String(resolveIntrinsics({ Ref: logicalId }, template, options)),
  }));

/**
 * Creates every bucket of the template that the S3 server does not have yet (objects survive a
 * restart, like the tables' items). Bucket settings (encryption, lifecycle, policy) are not applied:
 * the local server keeps objects until they are deleted.
 */
export const createTemplateBuckets = async (
  template: CfnTemplate,
  endpoint: string,
  region: string,
): Promise<TemplateBucket[]> => {
  const buckets = bucketsOf(template, { region });
  const client = new S3Client({ endpoint, region, forcePathStyle: true });
  try {
    for (const { name } of buckets) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        const code = (error as Error).name;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
      }
    }
  } finally {
    client.destroy();
  }
  return buckets;
};
