import { createServer, request } from 'node:http';
import { listenLocal } from './listen.js';
import { type TransientFaults, transientFaultsFromEnv, writeFault } from './transient-faults.js';

/** Requests and capacity units by DynamoDB action. */
export interface DynamoUsage {
  readonly requests: Record<string, number>;
  /** Units reported by the server (ConsumedCapacity, table + indexes), by action. */
  readonly units: Record<string, number>;
  /** The share of `units` that went to global secondary indexes, by action. */
  readonly indexUnits: Record<string, number>;
  /** Round-trip milliseconds of every request through the proxy, in arrival order. */
  readonly latencies: number[];
}

export interface DynamoMeter {
  readonly endpoint: string;
  /** The transient faults injected on the way (transient-faults.ts), when injection is on. */
  readonly faults?: TransientFaults;
  usage(): DynamoUsage;
  reset(): void;
  close(): Promise<void>;
}

export const WRITE_ACTIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
export const READ_ACTIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const MEASURED = new Set([...WRITE_ACTIONS, ...READ_ACTIONS]);

export const sumOf = (byAction: Record<string, number>, actions: ReadonlySet<string>): number =>
  Object.entries(byAction).reduce((sum, [action, n]) => sum + (actions.has(action) ? n : 0), 0);

interface Consumed {
  CapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** Units of a response: in all, and on its global secondary indexes. */
const consumed = (body: string): { total: number; indexes: number } => {
  try {
    const parsed = JSON.parse(body) as { ConsumedCapacity?: Consumed | Consumed[] };
    const list = Array.isArray(parsed.ConsumedCapacity) ? parsed.ConsumedCapacity : [parsed.ConsumedCapacity];
    return {
      total: list.reduce((sum, c) => sum + (c?.CapacityUnits ?? 0), 0),
      indexes: list.reduce(
        (sum, c) =>
          sum +
          Object.values(c?.GlobalSecondaryIndexes ?? {}).reduce((n, i) => n + (i.CapacityUnits ?? 0), 0),
        0,
      ),
    };
  } catch {
    return { total: 0, indexes: 0 };
  }
};

export interface DynamoMeterOptions {
  /**
   * Transient faults to inject on a share of the requests (throttling, 5xx, answers lost after the
   * write applied). @default as LOCAL_TRANSIENT_FAULTS says (transient-faults.ts), else none
   */
  readonly faults?: TransientFaults;
}

/**
 * A pass-through proxy in front of the local DynamoDB that counts requests by action and asks for
 * ReturnConsumedCapacity on every data request: the server then says how many units each request
 * cost, index writes included, which is what on-demand pricing bills. (The local servers do not
 * check request signatures, so rewriting the body is harmless.) With `faults`, it also fails a
 * share of the requests as DynamoDB does when it throttles or has an internal error.
 */
export const startDynamoMeter = async (
  target: string,
  options: DynamoMeterOptions = {},
): Promise<DynamoMeter> => {
  const upstream = new URL(target);
  const faults = options.faults ?? transientFaultsFromEnv('dynamodb');
  let requests: Record<string, number> = {};
  let units: Record<string, number> = {};
  let indexUnits: Record<string, number> = {};
  let latencies: number[] = [];
  const server = createServer((incoming, outgoing) => {
    const action = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    requests[action] = (requests[action] ?? 0) + 1;
    const began = performance.now();
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const fault = faults?.decide(action);
      if (faults && fault && fault !== 'lost') {
        writeFault(outgoing, faults.answer(fault));
        latencies.push(performance.now() - began);
        return;
      }
      let body = Buffer.concat(chunks);
      let asked = false;
      if (MEASURED.has(action)) {
        const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        asked = json.ReturnConsumedCapacity === undefined;
        if (asked) body = Buffer.from(JSON.stringify({ ...json, ReturnConsumedCapacity: 'INDEXES' }));
      }
      const headers = { ...incoming.headers, 'content-length': String(body.length) };
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: incoming.url,
          method: incoming.method,
          headers,
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(parts);
            if (MEASURED.has(action)) {
              const used = consumed(text.toString('utf8'));
              units[action] = (units[action] ?? 0) + used.total;
              indexUnits[action] = (indexUnits[action] ?? 0) + used.indexes;
            }
            latencies.push(performance.now() - began);
            // Applied, but the caller never hears of it: it sees a 500 and sends the request again.
            if (fault === 'lost' && faults) return writeFault(outgoing, faults.answer(fault));
            outgoing.writeHead(response.statusCode ?? 500, {
              ...response.headers,
              'content-length': String(text.length),
            });
            outgoing.end(text);
          });
        },
      );
      forward.on('error', (error) => outgoing.destroy(error));
      forward.end(body);
    });
  });
  const { url, close } = await listenLocal(server);
  return {
    endpoint: url,
    ...(faults ? { faults } : {}),
    usage: () => ({
      requests: { ...requests },
      units: { ...units },
      indexUnits: { ...indexUnits },
      latencies: [...latencies],
    }),
    reset: () => {
      requests = {};
      units = {};
      indexUnits = {};
      latencies = [];
    },
    close,
  };
};
