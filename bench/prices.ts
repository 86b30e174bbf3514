/**
 * Public list prices, us-east-1, as issue #7 states them (AWS halved on-demand
 * DynamoDB to $0.625 / $0.125 per million units in November 2024, so the DynamoDB figures here are
 * the older, higher list prices — an upper bound). The Express prices and the Distributed Map's
 * billing are AWS's own, as the comments beside them say.
 */
export const PRICES = {
  asOf: 'us-east-1 list prices as given in issue #7 (Step Functions Standard, Lambda arm64, DynamoDB on-demand pre-Nov-2024; S3 Standard requests); Step Functions Express from aws.amazon.com/step-functions/pricing',
  /**
   * Step Functions Standard, per state transition. A Distributed Map also bills one transition of
   * its parent per child execution it starts ("Transitions in Distributed Map states",
   * docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html).
   */
  perTransition: 0.025 / 1000,
  /**
   * Step Functions Express, per execution started ("$1.00 per million requests",
   * aws.amazon.com/step-functions/pricing, Express Workflows; the Distributed Map's children are
   * Express executions billed as such).
   */
  perExpressRequest: 1.0 / 1_000_000,
  /**
   * Step Functions Express duration, first tier: $0.06000 per GB-hour for the first 1,000 GB-hours
   * a month (= $0.00001667 per GB-second; then $0.03 and $0.01642 per GB-hour), per the pricing
   * page's Express example (aws.amazon.com/step-functions/pricing).
   */
  perExpressGbSecond: 0.00001667,
  /**
   * Express memory is billed in 64 MB chunks: 50 MB + the definition + the payload (the pricing
   * page's estimate), so a one-Task child with a batch of ~100 small items is one chunk.
   */
  expressBilledMemoryMb: 64,
  /** Express duration is rounded up to the nearest 100 ms (aws.amazon.com/step-functions/pricing). */
  expressBillingIncrementMs: 100,
  perLambdaRequest: 0.2 / 1_000_000,
  perGbSecondArm64: 0.0000133334,
  perWriteUnit: 1.25 / 1_000_000,
  perReadUnit: 0.25 / 1_000_000,
  /** S3 Standard: PUT, COPY, POST and LIST requests. */
  perS3Put: 0.005 / 1000,
  /** S3 Standard: GET, SELECT and every other request. */
  perS3Get: 0.0004 / 1000,
} as const;

export interface Usage {
  readonly transitions: number;
  readonly invocations: number;
  /** Sum over invocations of the billed milliseconds (each rounded up to 1 ms). */
  readonly billedMs: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  /** S3 requests billed at the PUT rate (the results bucket's object writes). */
  readonly s3Puts: number;
  /** S3 requests billed at the GET rate (the results bucket's object reads). */
  readonly s3Gets: number;
  /** Express executions started (a Distributed Map's children). @default 0 */
  readonly expressRequests?: number;
  /** Sum over Express executions of their billed duration (each rounded up: expressBilledMs). @default 0 */
  readonly expressBilledMs?: number;
}

/** One Express execution's billed milliseconds: rounded up to the next 100 ms. */
export const expressBilledMs = (ms: number): number =>
  Math.max(1, Math.ceil(ms / PRICES.expressBillingIncrementMs)) * PRICES.expressBillingIncrementMs;

/** Dollars for one workflow run with this usage, with Lambda memory in MB. */
export const priceOf = (usage: Usage, memoryMb: number) => {
  const stepFunctions = usage.transitions * PRICES.perTransition;
  const express =
    (usage.expressRequests ?? 0) * PRICES.perExpressRequest +
    ((usage.expressBilledMs ?? 0) / 1000) * (PRICES.expressBilledMemoryMb / 1024) * PRICES.perExpressGbSecond;
  const lambdaRequests = usage.invocations * PRICES.perLambdaRequest;
  const lambdaCompute = (usage.billedMs / 1000) * (memoryMb / 1024) * PRICES.perGbSecondArm64;
  const dynamo = usage.writeUnits * PRICES.perWriteUnit + usage.readUnits * PRICES.perReadUnit;
  const s3 = usage.s3Puts * PRICES.perS3Put + usage.s3Gets * PRICES.perS3Get;
  return {
    stepFunctions,
    express,
    lambdaRequests,
    lambdaCompute,
    dynamo,
    s3,
    total: stepFunctions + express + lambdaRequests + lambdaCompute + dynamo + s3,
  };
};
