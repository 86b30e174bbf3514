import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Expr, notExpired } from './conditions.js';
import type { Item } from './items.js';

/**
 * A Query of one base-table partition (a workflow's tasks): listings over indexes are
 * merged-query.ts. No request path uses Scan.
 */
export interface QuerySpec {
  readonly tableName: string;
  readonly partition: { readonly name: string; readonly value: string | number };
  /** Extra filter clause; the expiry filter is always added. */
  readonly filter?: (e: Expr) => string;
  readonly consistent?: boolean;
}

/** Every live item of a partition, all pages, in sort-key order. */
export const queryAll = async (doc: DynamoDBDocumentClient, spec: QuerySpec, now: Date): Promise<Item[]> => {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const e = new Expr();
    const out = await doc.send(
      new QueryCommand({
        TableName: spec.tableName,
        KeyConditionExpression: `${e.name(spec.partition.name)} = ${e.value(spec.partition.value)}`,
        FilterExpression: [notExpired(e, now), spec.filter?.(e)].filter(Boolean).join(' AND '),
        ExclusiveStartKey: start,
        ConsistentRead: spec.consistent,
        ...e.attributes(),
      }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
};
