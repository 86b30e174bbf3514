/**
 * Public list prices, us-east-1, as issue #7 states them (AWS halved on-demand
 * DynamoDB to $0.625 / $0.125 per million units in November 2024, so the DynamoDB figures here are
 * the older, higher list prices — an upper bound).
 */
export const PRICES = {
  asOf: 'us-east-1 list prices as given in issue #7 (Step Functions Standard, Lambda arm64, DynamoDB on-demand pre-Nov-2024; S3 Standard requests)',
  perTransition: 0.025 / 1000,
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
}

/** Dollars for one workflow run with this usage, with Lambda memory in MB. */
export const priceOf = (usage: Usage, memoryMb: number) => {
  const stepFunctions = usage.transitions * PRICES.perTransition;
  const lambdaRequests = usage.invocations * PRICES.perLambdaRequest;
  const lambdaCompute = (usage.billedMs / 1000) * (memoryMb / 1024) * PRICES.perGbSecondArm64;
  const dynamo = usage.writeUnits * PRICES.perWriteUnit + usage.readUnits * PRICES.perReadUnit;
  const s3 = usage.s3Puts * PRICES.perS3Put + usage.s3Gets * PRICES.perS3Get;
  return {
    stepFunctions,
    lambdaRequests,
    lambdaCompute,
    dynamo,
    s3,
    total: stepFunctions + lambdaRequests + lambdaCompute + dynamo + s3,
  };
};
