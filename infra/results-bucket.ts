import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { envName, MANIFESTS_KEY_PREFIX, RESULTS_KEY_PREFIX } from '../functions/config/environment.js';

export interface ResultsBucketProps {
  /** Prefix of the bucket's name, e.g. `job-orchestrator-dev-`. */
  readonly namePrefix: string;
  /** Days an object under `results/` (and an access log) is kept: CDK context `retentionDays`. */
  readonly retentionDays: number;
  /** DESTROY (dev) empties and deletes the buckets with the stack; RETAIN keeps them. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The app's S3 bucket: step results too large for their task item are objects under `results/`
 * (docs/behaviour.md, "Results"). Private and TLS-only, encrypted with S3-managed keys, each
 * object expired `retentionDays` after it was written, the same retention as the tables' TTL.
 *
 * - SSE-S3, not KMS: cdk-nag's AWS Solutions pack asks for encryption at rest, not for a customer
 *   key; every GetObject/PutObject under SSE-KMS is also a KMS request (priced, rate-limited), and
 *   the access a key policy would add is already what IAM grants, per prefix, below.
 * - No versioning: a result is written once per attempt under its own key and never updated, so
 *   there is no earlier version to recover; versions would outlive the lifecycle rule's expiry.
 * - Server access logs (AwsSolutions-S1) go to a second bucket, kept as long, which does not log
 *   itself (acknowledged in infra/nag.ts).
 */
export class ResultsBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ResultsBucketProps) {
    super(scope, id);
    // S3 delivers the access logs under a bucket policy, not the legacy log-delivery ACL (which
    // would need ACLs enabled on the log bucket): CDK's flag for it, set for these buckets only.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    const expiration = Duration.days(props.retentionDays);
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy: props.removalPolicy,
      // A bucket that still holds objects cannot be deleted: dev empties it first, as its tables go too.
      autoDeleteObjects: destroy,
    } satisfies s3.BucketProps;

    // Its name is left to CloudFormation: nothing reads it but S3's log delivery.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ id: 'expire-access-logs', expiration }],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      // Bucket names are global: the account and region keep each deployment's apart (at most
      // 17 + 16 (stage) + 1 + 12 + 1 + 14 = 61 characters, under S3's 63).
      bucketName: `${props.namePrefix}${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'results-bucket/',
      lifecycleRules: [
        { id: 'expire-results', prefix: RESULTS_KEY_PREFIX, expiration },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }

  /**
   * Sets RESULTS_BUCKET on a function and lets it read (`read`), or read and write (`readWrite`),
   * the objects under `results/`, and nothing else: no list, no delete, no other prefix.
   */
  /** Lets a fan-out step read the item manifests users put under `manifests/` (read only). */
  grantManifestsTo(fn: lambda.Function): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${MANIFESTS_KEY_PREFIX}*`)],
      }),
    );
  }

  grantTo(fn: lambda.Function, access: 'read' | 'readWrite'): void {
    fn.addEnvironment(envName('resultsBucket'), this.bucket.bucketName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects(`${RESULTS_KEY_PREFIX}*`)],
      }),
    );
  }
}
