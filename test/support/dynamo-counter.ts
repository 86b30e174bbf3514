import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoCounter {
  readonly endpoint: string;
  /** Requests by DynamoDB action (UpdateItem, GetItem, ...) since the last reset. */
  counts(): Record<string, number>;
  writes(): number;
  reset(): void;
  close(): Promise<void>;
}

const WRITE_ACTIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/**
 * A pass-through proxy in front of the local DynamoDB that counts requests by action: how the
 * tests measure the write budget of the real code without touching it.
 */
export const startDynamoCounter = async (target: string): Promise<DynamoCounter> => {
  const upstream = new URL(target);
  let counts: Record<string, number> = {};
  const server = createServer((incoming, outgoing) => {
    const action = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    counts[action] = (counts[action] ?? 0) + 1;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 500, response.headers);
        response.pipe(outgoing);
      },
    );
    forward.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    writes: () =>
      Object.entries(counts).reduce((sum, [action, n]) => sum + (WRITE_ACTIONS.has(action) ? n : 0), 0),
    reset: () => {
      counts = {};
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
