import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { runWatchStateConformance, watchStateConformanceChecks } from '@x/together-webhooks-watch/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbWatchState } from '../src/index.js';
import { startDynalite, type Dynalite } from './dynalite.js';

describe('dynamoDbWatchState keeps the WatchState contract', () => {
  let dynamo: Dynalite;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable('watch-default');
    await dynamo.createTable('watch-custom-key', 'pk');
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  // Every makeState() call gets a new client, as a new Lambda invocation would.
  it.each([
    ['the default partition key', 'watch-default', undefined],
    ['a custom partition key', 'watch-custom-key', 'pk'],
  ] as const)('with %s', async (_name, tableName, partitionKey) => {
    const report = await runWatchStateConformance((key) =>
      dynamoDbWatchState({ client: dynamo.client(), tableName, key, ...(partitionKey ? { partitionKey } : {}) }),
    );
    expect(report.checks.map((check) => [check.name, check.passed])).toEqual(watchStateConformanceChecks.map((name) => [name, true]));
  });

  it('an item that is not a watch state (an idempotency record under the same key) is an error naming it', async () => {
    await dynamo.client().send(new PutItemCommand({ TableName: 'watch-default', Item: { id: { S: 'not-a-state' }, state: { S: 'completed' } } }));
    const state = dynamoDbWatchState({ client: dynamo.client(), tableName: 'watch-default', key: 'not-a-state' });
    await expect(state.read()).rejects.toThrow('DynamoDB item "not-a-state" of watch-default does not hold a watch state');
  });

  it('a snapshot over the item limit is a RangeError naming the way out, never a half write', async () => {
    const state = dynamoDbWatchState({ client: dynamo.client(), tableName: 'watch-default', key: 'too-big' });
    const jobs = Object.fromEntries(Array.from({ length: 20_000 }, (_, index) => [`batch:${'x'.repeat(10)}-${index}`, { state: 'COMPLETED' }]));
    await expect(state.write({ jobs, pending: [] }, null)).rejects.toThrow(/over DynamoDB's item limit; use redisWatchState or postgresWatchState/);
    expect((await state.read()).version).toBeNull();
  });

  it.each([
    ['no client', { client: undefined }, /client must be a DynamoDBClient/],
    ['no tableName', { tableName: '' }, /tableName must be a non-empty string/],
    ['an empty key', { key: '' }, /key must be a non-empty string/],
  ])('%s is a TypeError', (_case, options, message) => {
    expect(() => dynamoDbWatchState({ client: dynamo.client(), tableName: 'watch-default', ...(options as object) })).toThrow(message);
  });
});
