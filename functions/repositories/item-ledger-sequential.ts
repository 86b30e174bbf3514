import { type DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Chunk, emptyChunk, type StoredOutcome } from './item-ledger-codec.js';
import { type ChunkWrite, changesOf, ledgerTransaction } from './item-ledger-writes.js';
import type { TaskKey } from './items.js';

/** What a fallback record needs of the ledger: its client, table, clock and a consistent chunk read. */
export interface SequentialWriter {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => Date;
  readonly chunks: (ledger: string, numbers: readonly number[]) => Promise<Map<number, Chunk>>;
  /** Whether the task (live) points at this ledger. */
  readonly pointsAt: (task: TaskKey, ledger: string) => Promise<boolean>;
}

const MAX_TRIES = 8;

const isConditionFailure = (error: unknown): boolean =>
  (error as Error).name === 'ConditionalCheckFailedException';

/**
 * How record() writes: each chunk alone, version-checked, then the task's counters move by that
 * chunk's change. Each change is counted once by exactly one writer; only a crash between the two
 * writes leaves the live counters short (and a move of the task between its check and the writes
 * lets one batch land on the old list), and a step's verdict reads the ledger, never them
 * (docs/behaviour.md, "Fan-out"). No transaction: it would cost twice the write units
 * (docs/dynamodb.md), and dynalite has none.
 */
export const recordOneByOne = async (
  writer: SequentialWriter,
  ledger: string,
  task: TaskKey,
  group: readonly ChunkWrite[],
  next: ReadonlyMap<number, ReadonlyMap<number, StoredOutcome>>,
): Promise<{ succeeded: number; failed: number } | 'moved'> => {
  // Checked first, so a batch of a replaced item list writes nothing (short of a race with the move).
  if (!(await writer.pointsAt(task, ledger))) return 'moved';
  let succeeded = 0;
  let failed = 0;
  for (const first of group) {
    let write: ChunkWrite | undefined = first;
    for (let attempt = 1; write && write.changes.length > 0; attempt++) {
      const { input, ...delta } = ledgerTransaction(writer.tableName, ledger, task, [write], writer.now());
      const [chunkAction, taskAction] = (input.TransactItems ?? []) as Array<{
        Update?: UpdateCommandInput;
        ConditionCheck?: unknown;
      }>;
      try {
        await writer.doc.send(new UpdateCommand(chunkAction?.Update as UpdateCommandInput));
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= MAX_TRIES) throw error;
        // Another batch wrote the chunk first: read it again and write only what is still a change.
        const number: number = write.chunk.chunk;
        const held = (await writer.chunks(ledger, [number])).get(number) ?? emptyChunk(number);
        write = changesOf(held, next.get(number) ?? new Map());
        continue;
      }
      if (taskAction?.Update) {
        try {
          await writer.doc.send(new UpdateCommand(taskAction.Update));
        } catch (error) {
          if (isConditionFailure(error)) return 'moved';
          throw error;
        }
      }
      succeeded += delta.succeeded;
      failed += delta.failed;
      write = undefined;
    }
  }
  return { succeeded, failed };
};
