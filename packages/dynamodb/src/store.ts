/**
 * @module store — `dynamoDbStore`: the idempotency contract on a DynamoDB table that every
 * instance of an app shares. Conditional writes check expiry themselves: TTL deletion may lag by
 * days and is never relied on.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { fitStoreKey, type ClaimResult, type IdempotencyStore } from '@x/together-webhooks-core';
import { answerFor, ATTRIBUTES, claimedItem, completedItem, expiry, FREE, freeNames, OWNED_BY_TOKEN, OWNED_NAMES } from './record.js';

/** Options of {@link dynamoDbStore}. */
export interface DynamoDbStoreOptions {
  /** A `DynamoDBClient` from `@aws-sdk/client-dynamodb` v3 (not the document client). */
  client: DynamoDBClient;
  /** The table: a String partition key named `partitionKey`, TTL on the Number attribute `expiresAt`. */
  tableName: string;
  /** Name of the table's partition key. Default `id`. */
  partitionKey?: string;
  /** Current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  now?: () => number;
}

/** DynamoDB's limit on a partition key value, in UTF-8 bytes: longer keys go in as a digest. */
const MAX_KEY_BYTES = 2048;

/** Claims that find the blocking item gone or expired (it changed between write and read) try again, this often at most. */
const CLAIM_ATTEMPTS = 3;

function isConditionFailure(error: unknown): error is Error & { Item?: Record<string, AttributeValue> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function milliseconds(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return Math.ceil(value);
}

function assertString(value: string, name: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * An {@link IdempotencyStore} on a DynamoDB table, shared by every instance of an app: each event
 * id's handlers run once across all of them.
 *
 * A claim is one conditional `PutItem` that succeeds only when no live item holds the key; on a
 * failed condition DynamoDB returns the item in the same response, and a backend that does not
 * (an emulator) costs one consistent `GetItem` more. Renew, complete and release are conditional
 * on the claim's token and on its lease not having lapsed. Leases compare the app's clocks: keep
 * them synchronised (NTP), as every AWS host is.
 *
 * @param options - the client, the table name, and the partition key's name
 * @returns a store for `createWebhooks({ store })`
 * @throws TypeError when the client, table or partition key is missing or wrong
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { dynamoDbStore } from '@x/together-webhooks-dynamodb';
 *
 * const store = dynamoDbStore({ client: new DynamoDBClient({}), tableName: 'together-webhook-events' });
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store });
 * ```
 */
export function dynamoDbStore(options: DynamoDbStoreOptions): IdempotencyStore {
  if (typeof options !== 'object' || (options as DynamoDbStoreOptions | null) === null) {
    throw new TypeError('dynamoDbStore: options must be an object with a client and a tableName');
  }
  const { client, tableName } = options;
  if (typeof (client as Partial<DynamoDBClient> | null)?.send !== 'function') {
    throw new TypeError('dynamoDbStore: client must be a DynamoDBClient from @aws-sdk/client-dynamodb v3');
  }
  if (typeof tableName !== 'string' || tableName.length === 0) throw new TypeError('dynamoDbStore: tableName must be a non-empty string');
  const partitionKey = options.partitionKey ?? 'id';
  if (typeof partitionKey !== 'string' || partitionKey.length === 0) {
    throw new TypeError('dynamoDbStore: partitionKey must be a non-empty string');
  }
  if ((Object.values(ATTRIBUTES) as string[]).includes(partitionKey)) {
    throw new TypeError(`dynamoDbStore: partitionKey cannot be ${partitionKey}: the store writes an attribute of that name`);
  }
  const now = options.now ?? Date.now;
  // The item's key: the pipeline's key, or its fixed-length digest when too long for DynamoDB.
  const keyOf = (key: string) => ({ [partitionKey]: { S: fitStoreKey(key, MAX_KEY_BYTES) } });

  const read = async (key: string) =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true }))).Item;

  // Runs a write conditional on `token` owning `key`: false, changing nothing, when it does not.
  const fenced = async (
    key: string,
    token: string,
    write: (at: number, owned: Record<string, AttributeValue>) => Promise<unknown>,
  ): Promise<boolean> => {
    assertString(key, 'key');
    assertString(token, 'token');
    const at = now();
    try {
      await write(at, { ':claimed': { S: 'claimed' }, ':token': { S: token }, ':now': { N: String(at) } });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  return {
    async claim(key, leaseMs): Promise<ClaimResult> {
      assertString(key, 'key');
      const lease = milliseconds(leaseMs, 'leaseMs');
      const token = randomUUID();
      for (let attempt = 1; ; attempt++) {
        const at = now();
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { ...claimedItem(token, at + lease), ...keyOf(key) },
              ConditionExpression: FREE,
              ExpressionAttributeNames: freeNames(partitionKey),
              ExpressionAttributeValues: { ':now': { N: String(at) } },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return { state: 'claimed', token };
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          // DynamoDB returns the blocking item; an emulator that does not costs one consistent read.
          const answer = answerFor(error.Item ?? (await read(key)), token, now(), key);
          if (answer) return answer;
          if (attempt >= CLAIM_ATTEMPTS) {
            throw new Error(`dynamoDbStore: the item of ${key} kept changing during ${CLAIM_ATTEMPTS} claims; retry the delivery`);
          }
        }
      }
    },
    renew: async (key, token, leaseMs) => {
      const lease = milliseconds(leaseMs, 'leaseMs');
      return fenced(key, token, (at, owned) => {
        const until = expiry(at + lease);
        return client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: 'SET #exp = :exp, #ttl = :ttl',
            ConditionExpression: OWNED_BY_TOKEN,
            ExpressionAttributeNames: { ...OWNED_NAMES, '#ttl': ATTRIBUTES.expiresAt },
            ExpressionAttributeValues: { ...owned, ':exp': until[ATTRIBUTES.expiresAtMs]!, ':ttl': until[ATTRIBUTES.expiresAt]! },
          }),
        );
      });
    },
    complete: async (key, token, retentionMs) => {
      const retention = milliseconds(retentionMs, 'retentionMs');
      return fenced(key, token, (at, owned) =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...completedItem(at + retention), ...keyOf(key) },
            ConditionExpression: OWNED_BY_TOKEN,
            ExpressionAttributeNames: OWNED_NAMES,
            ExpressionAttributeValues: owned,
          }),
        ),
      );
    },
    release: async (key, token) =>
      fenced(key, token, (_at, owned) =>
        client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            ConditionExpression: OWNED_BY_TOKEN,
            ExpressionAttributeNames: OWNED_NAMES,
            ExpressionAttributeValues: owned,
          }),
        ),
      ),
  };
}
