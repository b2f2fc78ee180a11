import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createWebhooks, sign, type IdempotencyStore } from '@x/together-webhooks-core';
import { dynamoDbStore, type DynamoDbStoreOptions } from '../src/index.js';
import { startDynalite, type Dynalite } from './dynalite.js';

const TABLE = 'together-webhook-events';
let counter = 0;
const uniqueKey = (name: string) => `together:event:${name}-${++counter}`;

/** Counts the requests a client sends, by command name. */
function countRequests(client: DynamoDBClient): { total(): number; names: string[] } {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      names.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { total: () => names.length, names };
}

/**
 * Makes dynalite answer a failed conditional write the way DynamoDB does: with the item that
 * blocked it, read through another client so the store's own request count is not touched.
 */
function returnOldItemOnConditionFailure(client: DynamoDBClient, reader: DynamoDBClient, tableName = TABLE): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const input = args.input as { Item?: Record<string, AttributeValue>; ReturnValuesOnConditionCheckFailure?: string };
        if ((error as Error).name === 'ConditionalCheckFailedException' && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
          const key = { id: input.Item!.id! };
          (error as { Item?: unknown }).Item = (await reader.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'returnOldItem' },
  );
}

describe('dynamoDbStore on dynalite', () => {
  let dynamo: Dynalite;
  let raw: DynamoDBClient;
  const store = (overrides: Partial<DynamoDbStoreOptions> = {}): IdempotencyStore =>
    dynamoDbStore({ client: dynamo.client(), tableName: TABLE, ...overrides });
  const item = async (key: string) =>
    (await raw.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: key } }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable(TABLE);
    raw = dynamo.client();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  describe('options', () => {
    const client = () => dynamo.client();
    it.each([
      ['no options', () => dynamoDbStore(undefined as unknown as DynamoDbStoreOptions), /options must be an object/],
      ['no client', () => dynamoDbStore({ tableName: TABLE } as DynamoDbStoreOptions), /client must be a DynamoDBClient/],
      ['a client without send', () => dynamoDbStore({ client: {} as unknown as DynamoDBClient, tableName: TABLE }), /DynamoDBClient/],
      ['no table', () => dynamoDbStore({ client: client() } as DynamoDbStoreOptions), /tableName/],
      ['an empty table name', () => dynamoDbStore({ client: client(), tableName: '' }), /tableName/],
      ['a partition key the store writes', () => dynamoDbStore({ client: client(), tableName: TABLE, partitionKey: 'expiresAt' }), /partitionKey cannot be expiresAt/],
    ])('throws a TypeError for %s', (_name, create, message) => {
      expect(create).toThrow(TypeError);
      expect(create).toThrow(message);
    });
  });

  describe('fencing', () => {
    it('a stale holder cannot renew, complete or release after a takeover, and the item stays the new holder’s', async () => {
      const key = uniqueKey('stale');
      const first = store();
      const second = store();
      const stale = await first.claim(key, 200);
      if (stale.state !== 'claimed') throw new Error(`expected claimed, got ${stale.state}`);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const fresh = await second.claim(key, 60_000);
      if (fresh.state !== 'claimed') throw new Error(`expected claimed, got ${fresh.state}`);

      expect(await first.renew(key, stale.token, 60_000)).toBe(false);
      expect(await first.complete(key, stale.token, 60_000)).toBe(false);
      expect(await first.release(key, stale.token)).toBe(false);
      expect((await item(key))?.token?.S).toBe(fresh.token);

      expect(await second.complete(key, fresh.token, 60_000)).toBe(true);
      expect(await first.release(key, stale.token)).toBe(false);
      expect(await first.complete(key, fresh.token, 1)).toBe(false);
      expect((await item(key))?.state?.S).toBe('completed');
    });

    it('a lapsed lease cannot be renewed or completed even by its owner, though the item is still there', async () => {
      const key = uniqueKey('lapsed');
      const s = store();
      const claim = await s.claim(key, 200);
      if (claim.state !== 'claimed') throw new Error(`expected claimed, got ${claim.state}`);
      await new Promise((resolve) => setTimeout(resolve, 400));
      // dynalite never deletes: the lapsed item is present, and the conditions alone refuse it.
      expect((await item(key))?.token?.S).toBe(claim.token);
      expect(await s.renew(key, claim.token, 60_000)).toBe(false);
      expect(await s.complete(key, claim.token, 60_000)).toBe(false);
    });

    it('expiry is decided by the conditions on the caller’s clock, not by TTL deletion', async () => {
      const key = uniqueKey('clock');
      const now = store();
      const tenMinutesLater = store({ now: () => Date.now() + 600_000 });
      const held = await now.claim(key, 60_000);
      expect(held.state).toBe('claimed');
      expect((await tenMinutesLater.claim(key, 60_000)).state).toBe('claimed');
      if (held.state === 'claimed') expect(await now.complete(key, held.token, 60_000)).toBe(false);
    });
  });

  it('writes a claimed item with a token and a completed one without, both expiring in ms and TTL seconds', async () => {
    const key = uniqueKey('format');
    const s = store();
    const before = Date.now();
    const claim = await s.claim(key, 30_000);
    if (claim.state !== 'claimed') throw new Error(`expected claimed, got ${claim.state}`);
    const claimed = await item(key);
    expect(claimed?.state?.S).toBe('claimed');
    expect(claimed?.token?.S).toBe(claim.token);
    const leaseEnd = Number(claimed?.expiresAtMs?.N);
    expect(leaseEnd).toBeGreaterThanOrEqual(before + 30_000);
    expect(claimed?.expiresAt?.N).toBe(String(Math.ceil(leaseEnd / 1000)));

    expect(await s.complete(key, claim.token, 7 * 24 * 3600 * 1000)).toBe(true);
    const completed = await item(key);
    expect(completed?.state?.S).toBe('completed');
    expect(completed?.token).toBeUndefined();
    const retentionEnd = Number(completed?.expiresAtMs?.N);
    expect(retentionEnd).toBeGreaterThanOrEqual(before + 7 * 24 * 3600 * 1000);
    expect(completed?.expiresAt?.N).toBe(String(Math.ceil(retentionEnd / 1000)));
  });

  it('an item the store did not write is an error, never a claim', async () => {
    const key = uniqueKey('foreign');
    await raw.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: key }, note: { S: 'somebody else’s' } } }));
    await expect(store().claim(key, 1_000)).rejects.toThrow(/not written by this store/);
    expect((await item(key))?.note?.S).toBe('somebody else’s');
  });

  describe('requests', () => {
    const secret = 'whsec_requests';
    const delivery = (id: string) => {
      const body = JSON.stringify({ id, type: 'resource.updated', created: new Date().toISOString(), data: {} });
      return { body, headers: sign(body, { secret }) };
    };

    it('2 per new event; a duplicate costs 1, plus 1 consistent read where the backend does not return the old item', async () => {
      const client = dynamo.client();
      const requests = countRequests(client);
      const webhooks = createWebhooks({ secret, store: dynamoDbStore({ client, tableName: TABLE }) }).onAny(() => undefined);
      const id = uniqueKey('requests');

      expect((await webhooks.handle(delivery(id))).outcome).toBe('processed');
      expect(requests.names).toEqual(['PutItemCommand', 'PutItemCommand']);
      requests.names.length = 0;
      expect((await webhooks.handle(delivery(id))).outcome).toBe('duplicate');
      // dynalite ignores ReturnValuesOnConditionCheckFailure: the fallback read decides.
      expect(requests.names).toEqual(['PutItemCommand', 'GetItemCommand']);
    });

    it('1 per duplicate when the failed condition returns the old item, as DynamoDB does', async () => {
      const client = dynamo.client();
      returnOldItemOnConditionFailure(client, dynamo.client());
      const requests = countRequests(client);
      const s = dynamoDbStore({ client, tableName: TABLE });
      const key = uniqueKey('all-old');

      const claim = await s.claim(key, 60_000);
      requests.names.length = 0;
      const busy = await s.claim(key, 60_000);
      expect(busy.state).toBe('in_progress');
      if (busy.state === 'in_progress') expect(busy.retryAfterMs).toBeGreaterThan(50_000);
      expect(requests.names).toEqual(['PutItemCommand']);

      if (claim.state === 'claimed') await s.complete(key, claim.token, 60_000);
      requests.names.length = 0;
      expect(await s.claim(key, 60_000)).toEqual({ state: 'completed' });
      expect(requests.names).toEqual(['PutItemCommand']);
    });
  });

  describe('a fallback read that races with a change', () => {
    interface Race {
      /** After each failed conditional claim, before the store reads the item. */
      afterFailedClaim(key: string): Promise<void>;
      /** After each fallback read, before the store sees its answer. */
      afterRead?(key: string): Promise<void>;
    }
    const storeWithRace = (race: Race) => {
      const client = dynamo.client();
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { Item?: Record<string, AttributeValue>; Key?: Record<string, AttributeValue> };
          try {
            const output = await next(args);
            if (context.commandName === 'GetItemCommand') await race.afterRead?.(input.Key!.id!.S!);
            return output;
          } catch (error) {
            if ((error as Error).name === 'ConditionalCheckFailedException' && input.Item?.state?.S === 'claimed') {
              await race.afterFailedClaim(input.Item.id!.S!);
            }
            throw error;
          }
        },
        { step: 'initialize', name: 'race' },
      );
      return dynamoDbStore({ client, tableName: TABLE });
    };
    const remove = async (key: string) => {
      await raw.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: key } } }));
    };

    it('claims again when the blocking item is gone by the time it is read', async () => {
      const key = uniqueKey('gone');
      await store().claim(key, 60_000);
      const racing = storeWithRace({ afterFailedClaim: remove });
      expect((await racing.claim(key, 60_000)).state).toBe('claimed');
    });

    it('gives up after a bounded number of attempts rather than answering wrongly', async () => {
      const key = uniqueKey('flapping');
      const holder = store();
      await holder.claim(key, 60_000);
      let races = 0;
      // The blocker vanishes before each read and is back before each write.
      const racing = storeWithRace({
        async afterFailedClaim(k) {
          races++;
          await remove(k);
        },
        async afterRead(k) {
          expect((await holder.claim(k, 60_000)).state).toBe('claimed');
        },
      });
      await expect(racing.claim(key, 60_000)).rejects.toThrow(/kept changing/);
      expect(races).toBe(3);
    });
  });
});
