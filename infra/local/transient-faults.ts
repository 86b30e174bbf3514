import type { ServerResponse } from 'node:http';
import { mulberry32 } from '../../functions/shared/random.js';

/*
 * Transient faults of an AWS JSON service, injected on this machine: a share of the requests to the
 * local DynamoDB (dynamo-meter.ts) or the local Step Functions API (sfn-endpoint.ts) is answered
 * with what AWS answers when it throttles or has an internal failure, so that the SDK's retries and
 * the writes' idempotency are exercised as they are on AWS (docs/local-stack.md, "Transient faults").
 *
 * Four kinds, each as the service sends it (status, `__type`, `x-amzn-ErrorType`):
 * - `throttle`:    400 ProvisionedThroughputExceededException / ThrottlingException, not applied;
 * - `internal`:    500 InternalServerError (DynamoDB) / InternalFailure (Step Functions), not applied;
 * - `unavailable`: 503 ServiceUnavailable, not applied;
 * - `lost`:        the request IS applied, then its answer is replaced by a 500: what a response
 *                  lost on the way back looks like. The SDK sends the same request again, so only
 *                  writes that recognise their own earlier effect come through right.
 *
 * Decisions come from a seeded generator, one draw per request: the same seed and the same order of
 * requests inject the same faults (concurrent callers may interleave differently from run to run).
 */

export type FaultService = 'dynamodb' | 'sfn';
export type FaultKind = 'throttle' | 'internal' | 'unavailable' | 'lost';
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'internal', 'unavailable', 'lost'];

export interface TransientFaultOptions {
  /** Share of requests that fail, 0 to 1. */
  readonly rate: number;
  /** Seed of the generator: the same seed replays the same decisions. @default 1 */
  readonly seed?: number;
  /** Relative weights of the kinds; a kind left out is never injected. @default each kind equally */
  readonly weights?: Partial<Record<FaultKind, number>>;
  /** Actions (`PutItem`, `StartExecution`...) that are never failed. @default none */
  readonly spare?: readonly string[];
  /** Only these actions are failed. @default every action */
  readonly only?: readonly string[];
  /** At most this many faults, then none (a test that loses exactly one answer). @default no limit */
  readonly limit?: number;
}

export interface FaultCounts {
  /** Requests seen while injection was on. */
  readonly requests: number;
  /** Faults injected, by kind. */
  readonly injected: Record<FaultKind, number>;
  /** Faults injected, by action, then kind. */
  readonly byAction: Record<string, Partial<Record<FaultKind, number>>>;
}

/** An error answer of the service, ready to write. */
export interface FaultAnswer {
  readonly status: number;
  readonly errorType: string;
  readonly body: string;
}

const ERRORS: Record<FaultService, Record<FaultKind, readonly (readonly [string, number, string])[]>> = {
  dynamodb: {
    throttle: [
      [
        'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        400,
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      ],
      [
        'com.amazon.coral.availability#ThrottlingException',
        400,
        'Rate of requests exceeds the allowed throughput.',
      ],
    ],
    internal: [['com.amazonaws.dynamodb.v20120810#InternalServerError', 500, 'Internal server error']],
    unavailable: [['com.amazon.coral.service#ServiceUnavailableException', 503, 'Service Unavailable']],
    lost: [['com.amazonaws.dynamodb.v20120810#InternalServerError', 500, 'Internal server error']],
  },
  sfn: {
    throttle: [['ThrottlingException', 400, 'Rate exceeded']],
    internal: [['InternalFailure', 500, 'The request processing has failed because of an unknown error.']],
    unavailable: [['ServiceUnavailable', 503, 'Service Unavailable']],
    lost: [['InternalFailure', 500, 'The request processing has failed because of an unknown error.']],
  },
};

/** The fault decisions and counters of one service. */
export class TransientFaults {
  private readonly random: () => number;
  private readonly weights: readonly (readonly [FaultKind, number])[];
  private readonly spare: ReadonlySet<string>;
  private readonly only?: ReadonlySet<string>;
  private readonly limit: number;
  private rate: number;
  private requests = 0;
  private injected: Record<FaultKind, number> = { throttle: 0, internal: 0, unavailable: 0, lost: 0 };
  private byAction: Record<string, Partial<Record<FaultKind, number>>> = {};
  /** Alternates the throttling error's name between the ones the service uses. */
  private throttles = 0;

  constructor(
    readonly service: FaultService,
    options: TransientFaultOptions,
  ) {
    if (!(options.rate >= 0 && options.rate <= 1))
      throw new Error(`fault rate must be between 0 and 1 (got ${options.rate})`);
    this.rate = options.rate;
    // One stream per service from one seed: the services' decisions do not depend on each other.
    this.random = mulberry32((options.seed ?? 1) * 2 + (service === 'sfn' ? 1 : 0));
    const { weights } = options;
    this.weights = FAULT_KINDS.map((kind) => [kind, weights ? (weights[kind] ?? 0) : 1] as const).filter(
      ([, weight]) => weight > 0,
    );
    this.spare = new Set(options.spare ?? []);
    if (options.only) this.only = new Set(options.only);
    this.limit = options.limit ?? Number.POSITIVE_INFINITY;
  }

  /** Turns injection on at `rate` (0 turns it off); counters are kept. */
  setRate(rate: number): void {
    this.rate = rate;
  }

  /** The fault this request gets, if any (one draw per request while on). */
  decide(action: string): FaultKind | undefined {
    if (this.rate <= 0) return undefined;
    this.requests += 1;
    const draw = this.random();
    if (draw >= this.rate || this.spare.has(action) || (this.only && !this.only.has(action)))
      return undefined;
    if (injectedTotal(this.counts()) >= this.limit) return undefined;
    // The same draw, rescaled, picks the kind: one draw per request keeps replays simple.
    const total = this.weights.reduce((sum, [, weight]) => sum + weight, 0);
    const pick = (draw / this.rate) * total;
    let kind = this.weights.at(-1)?.[0];
    let below = 0;
    for (const [candidate, weight] of this.weights) {
      below += weight;
      if (pick < below) {
        kind = candidate;
        break;
      }
    }
    if (!kind) return undefined;
    this.injected[kind] += 1;
    const counts = this.byAction[action] ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.byAction[action] = counts;
    return kind;
  }

  /** The answer that stands for a fault of this kind, as the service would send it. */
  answer(kind: FaultKind): FaultAnswer {
    const choices = ERRORS[this.service][kind];
    const [type, status, message] = choices[kind === 'throttle' ? this.throttles++ % choices.length : 0] as [
      string,
      number,
      string,
    ];
    return { status, errorType: type, body: JSON.stringify({ __type: type, message }) };
  }

  counts(): FaultCounts {
    return {
      requests: this.requests,
      injected: { ...this.injected },
      byAction: Object.fromEntries(Object.entries(this.byAction).map(([a, c]) => [a, { ...c }])),
    };
  }

  reset(): void {
    this.requests = 0;
    this.injected = { throttle: 0, internal: 0, unavailable: 0, lost: 0 };
    this.byAction = {};
  }
}

/** Sum of the injected faults, every kind. */
export const injectedTotal = (counts: FaultCounts): number =>
  FAULT_KINDS.reduce((sum, kind) => sum + counts.injected[kind], 0);

/** Writes a fault answer in the AWS JSON protocol (the SDK reads `x-amzn-ErrorType`, then `__type`). */
export const writeFault = (
  response: ServerResponse,
  answer: FaultAnswer,
  contentType = 'application/x-amz-json-1.0',
): void => {
  response.writeHead(answer.status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(answer.body),
    'x-amzn-ErrorType': answer.errorType,
    'x-amzn-RequestId': `fault-${Date.now().toString(36)}`,
  });
  response.end(answer.body);
};

/** The variable that turns injection on for a local service: `LOCAL_TRANSIENT_FAULTS=0.1` or `0.1:42` (rate:seed). */
export const TRANSIENT_FAULTS_VARIABLE = 'LOCAL_TRANSIENT_FAULTS';

/** Parses `rate[:seed]`; undefined when unset or empty. */
export const parseTransientFaults = (value: string | undefined): TransientFaultOptions | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^\s*(0(?:\.\d+)?|1(?:\.0+)?|\.\d+)\s*(?::\s*(\d+)\s*)?$/.exec(value);
  if (!match)
    throw new Error(
      `${TRANSIENT_FAULTS_VARIABLE} must be a rate between 0 and 1, optionally with a seed: 0.1 or 0.1:42 (got ${JSON.stringify(value)})`,
    );
  return { rate: Number(match[1]), ...(match[2] ? { seed: Number(match[2]) } : {}) };
};

/** Injection for `service` as LOCAL_TRANSIENT_FAULTS asks, or none. */
export const transientFaultsFromEnv = (
  service: FaultService,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TransientFaults | undefined => {
  const options = parseTransientFaults(env[TRANSIENT_FAULTS_VARIABLE]);
  return options ? new TransientFaults(service, options) : undefined;
};
