import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStoreConformance, storeConformanceChecks } from '@x/together-webhooks-core/testing';
import { dynamoDbStore } from '../src/index.js';
import { startDynalite, type Dynalite } from './dynalite.js';

describe('dynamoDbStore keeps the idempotency contract', () => {
  let dynamo: Dynalite;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable('events-default');
    await dynamo.createTable('events-custom-key', 'eventKey');
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  // Every makeStore() call gets a new client: the race check claims through 50 of them at once.
  // Leases of 3 s, not the kit's default 1 s: dynalite (JavaScript, in this process) answers the
  // first requests of 50 new clients in up to a second on two cores, more while other suites run,
  // and a lease shorter than a request lapses before its answer arrives.
  it.each([
    ['the default partition key', 'events-default', undefined],
    ['a custom partition key', 'events-custom-key', 'eventKey'],
  ] as const)('with %s', async (_name, tableName, partitionKey) => {
    const report = await runStoreConformance(() =>
      dynamoDbStore({ client: dynamo.client(), tableName, ...(partitionKey ? { partitionKey } : {}) }),
      { leaseMs: 3_000, retentionMs: 3_000 },
    );
    // It rejects when a check fails; what it resolves to must show that every check ran, and passed.
    expect(report.checks.map((check) => check.name)).toEqual([...storeConformanceChecks]);
    expect(report.checks.filter((check) => !check.passed)).toEqual([]);
    for (const check of report.checks) expect(Number.isFinite(check.durationMs) && check.durationMs >= 0, check.name).toBe(true);
  });
});
