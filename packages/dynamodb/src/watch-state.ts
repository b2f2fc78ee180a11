/**
 * @module watch-state — `dynamoDbWatchState`: the watcher's state (`@x/together-webhooks-watch`)
 * in one item of a DynamoDB table, written with a conditional `PutItem` on its version, so two
 * overlapping polls (two scheduled Lambda invocations) never overwrite each other.
 *
 * The `WatchState` type is the core's: this package never loads the watcher, and the watcher never
 * loads it (no build order between them).
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseWatchSnapshot } from '@x/together-webhooks-core/internal';
import type { VersionedSnapshot, WatchSnapshot, WatchState, WriteResult } from '@x/together-webhooks-core';

/** Options of {@link dynamoDbWatchState}. */
export interface DynamoDbWatchStateOptions {
  /** A `DynamoDBClient` from `@aws-sdk/client-dynamodb` v3 (not the document client). */
  client: DynamoDBClient;
  /** The table: a String partition key named `partitionKey` (the idempotency store's table will do). */
  tableName: string;
  /** Name of the table's partition key. Default `id`. */
  partitionKey?: string;
  /** The item's partition key value: one per watcher. Default `together:watch:state`. */
  key?: string;
}

// DynamoDB refuses items over 400 KB; the attribute names and key take a few bytes of it.
const MAX_SNAPSHOT_BYTES = 390 * 1024;

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * A `WatchState` in one DynamoDB item: a poll makes one strongly consistent `GetItem` and, when
 * something changed, one conditional `PutItem`.
 *
 * @param options - the client, the table, its partition key and the item's key
 * @returns the state, for `watchTogetherJobs({ state })` or `pollTogetherJobs({ state })`
 * @throws TypeError for a client that is not a DynamoDBClient, or an empty table name or key
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { dynamoDbWatchState } from '@x/together-webhooks-dynamodb';
 * import { createScheduledWatchHandler } from '@x/together-webhooks-watch';
 *
 * export const handler = createScheduledWatchHandler({
 *   deliver: { url: process.env.WEBHOOK_URL!, secret: process.env.WEBHOOK_SECRET! },
 *   state: dynamoDbWatchState({ client: new DynamoDBClient({}), tableName: 'together-webhook-events' }),
 * });
 * ```
 */
export function dynamoDbWatchState(options: DynamoDbWatchStateOptions): WatchState {
  if (typeof options !== 'object' || (options as DynamoDbWatchStateOptions | null) === null) {
    throw new TypeError('dynamoDbWatchState: options must be an object with a client and a tableName');
  }
  const { client, tableName } = options;
  if (typeof (client as Partial<DynamoDBClient> | null)?.send !== 'function') {
    throw new TypeError('dynamoDbWatchState: client must be a DynamoDBClient from @aws-sdk/client-dynamodb v3');
  }
  if (typeof tableName !== 'string' || tableName.length === 0) throw new TypeError('dynamoDbWatchState: tableName must be a non-empty string');
  const partitionKey = options.partitionKey ?? 'id';
  if (typeof partitionKey !== 'string' || partitionKey.length === 0) throw new TypeError('dynamoDbWatchState: partitionKey must be a non-empty string');
  const key = options.key ?? 'together:watch:state';
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('dynamoDbWatchState: key must be a non-empty string');
  const item = { [partitionKey]: { S: key } };
  const where = `DynamoDB item ${JSON.stringify(key)} of ${tableName}`;

  return {
    async read(): Promise<VersionedSnapshot> {
      const found = (await client.send(new GetItemCommand({ TableName: tableName, Key: item, ConsistentRead: true }))).Item;
      const version = found?.['watchVersion']?.S;
      const snapshot = found?.['watchSnapshot']?.S;
      if (found === undefined) return { snapshot: { jobs: {}, pending: [] }, version: null };
      if (version === undefined || snapshot === undefined) throw new Error(`${where} does not hold a watch state (no watchVersion/watchSnapshot)`);
      return { snapshot: parseWatchSnapshot(snapshot, where) as WatchSnapshot, version };
    },
    async write(snapshot, expectedVersion): Promise<WriteResult> {
      const text = JSON.stringify(snapshot);
      if (Buffer.byteLength(text) > MAX_SNAPSHOT_BYTES) {
        throw new RangeError(`${where}: the watch state is ${Buffer.byteLength(text)} bytes, over DynamoDB's item limit; use redisWatchState or postgresWatchState`);
      }
      const version = randomUUID();
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...item, watchVersion: { S: version }, watchSnapshot: { S: text } },
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': partitionKey } }
              : {
                  ConditionExpression: 'watchVersion = :expected',
                  ExpressionAttributeValues: { ':expected': { S: expectedVersion } },
                }),
          }),
        );
        return { written: true, version };
      } catch (error) {
        if (isConditionFailure(error)) return { written: false };
        throw error;
      }
    },
  };
}
