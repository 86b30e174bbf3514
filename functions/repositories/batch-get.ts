import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Item } from './items.js';

/** BatchGetItem's most keys per call, and how often unprocessed keys are asked again. */
const BATCH_GET_SIZE = 100;
const MAX_TRIES = 8;

const backoff = (tries: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** tries)));

/**
 * The items of `keys`, read consistently in batches of 100, unprocessed keys sent again with
 * backoff; in no particular order, absent ones left out. `attributes` limits what is read.
 */
export const batchGet = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  attributes?: readonly string[],
): Promise<Item[]> => {
  const items: Item[] = [];
  const names = attributes && Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name]));
  for (let i = 0; i < keys.length; i += BATCH_GET_SIZE) {
    let pending: Item[] = keys.slice(i, i + BATCH_GET_SIZE);
    for (let tries = 0; pending.length > 0; tries++) {
      if (tries >= MAX_TRIES)
        throw new Error(`BatchGet from ${tableName}: ${pending.length} keys unprocessed`);
      if (tries > 0) await backoff(tries);
      const request = {
        Keys: pending,
        ConsistentRead: true,
        ...(names
          ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names }
          : {}),
      };
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: request } }));
      items.push(...((out.Responses?.[tableName] ?? []) as Item[]));
      pending = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  }
  return items;
};
