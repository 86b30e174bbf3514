import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { perConfiguration, setting } from '../config/environment.js';
import { logger } from '../shared/logger.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';
import { type DomainEvent, EVENT_SOURCE } from './domain-events.js';

/** Where domain events go. Publishing is best effort: it never fails the write it reports. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

export const noEvents: EventPublisher = { publish: async () => undefined };

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;

/**
 * Publishes to the app's bus with one PutEvents call per batch. A failure is logged, not thrown:
 * the DynamoDB record is the source of truth (and the reconciler's input), the event a notification.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient(sdkRetryConfig()),
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      try {
        const out = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: this.busName,
              Source: EVENT_SOURCE,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
              ...(event.resources ? { Resources: [...event.resources] } : {}),
            })),
          }),
        );
        if (out.FailedEntryCount)
          logger.error('some domain events were not published', { failed: out.FailedEntryCount, batch });
      } catch (error) {
        logger.error('could not publish domain events', { error, batch });
      }
    }
  }
}

/** The bus named by EVENT_BUS_NAME (one client per configuration), or no publishing when unset. */
export const eventPublisherFromEnv = perConfiguration(['eventBus'], (env): EventPublisher => {
  const busName = setting('eventBus', env);
  return busName ? new EventBridgePublisher(busName) : noEvents;
});
