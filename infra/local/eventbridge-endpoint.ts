import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LocalEventBus } from './event-bus.js';
import { fixedPort } from './fixed-ports.js';
import { listenLocal } from './listen.js';

export interface EventBridgeEndpoint {
  /** Give it to handlers as AWS_ENDPOINT_URL_EVENTBRIDGE (and _EVENTS, the older service id). */
  readonly url: string;
  close(): Promise<void>;
}

/** One PutEvents entry, as the SDK sends it (AWS JSON 1.1) and as the `events:putEvents` task passes it. */
interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string | Record<string, unknown>;
  EventBusName?: string;
  Resources?: string[];
}

/** Puts PutEvents entries on the local bus; `EventBusName` may be a name or an ARN (as on AWS). */
export const putEntries = (bus: LocalEventBus, entries: readonly unknown[]) =>
  (entries as PutEventsEntry[]).map((entry) => {
    const detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : (entry.Detail ?? {});
    bus.put(
      {
        source: entry.Source ?? '',
        'detail-type': entry.DetailType ?? '',
        detail,
        ...(entry.Resources ? { resources: entry.Resources } : {}),
      },
      (entry.EventBusName ?? 'default').split('/').pop() ?? 'default',
    );
    return { EventId: randomUUID() };
  });

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(status >= 400 ? { 'x-amzn-ErrorType': (body as { __type: string }).__type } : {}),
  });
  response.end(text);
};

/**
 * EventBridge's PutEvents on 127.0.0.1 (POST /, `X-Amz-Target: AWSEvents.PutEvents`, AWS JSON 1.1),
 * so handlers publish with the stock EventBridgeClient. Entries go to the LocalEventBus, which logs
 * them and delivers them to the rules of their bus.
 */
export const startEventBridgeEndpoint = async (options: {
  bus: LocalEventBus;
  /** @default LOCAL_EVENTBRIDGE_PORT (fixed-ports.ts), else a free port */
  port?: number;
}): Promise<EventBridgeEndpoint> => {
  const server = createServer(async (request, response) => {
    try {
      const target = String(request.headers['x-amz-target'] ?? '');
      const text = await readBody(request);
      if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents')
        return send(response, 400, {
          __type: 'UnknownOperationException',
          message: `Unsupported operation: ${target || request.method}`,
        });
      const { Entries } = JSON.parse(text || '{}') as { Entries?: unknown[] };
      if (!Array.isArray(Entries) || Entries.length === 0 || Entries.length > 10)
        return send(response, 400, { __type: 'ValidationException', message: 'Entries: 1 to 10 entries' });
      send(response, 200, { FailedEntryCount: 0, Entries: putEntries(options.bus, Entries) });
    } catch (error) {
      send(response, 400, { __type: 'ValidationException', message: (error as Error).message });
    }
  });
  return listenLocal(server, options.port ?? fixedPort('eventbridge'));
};
