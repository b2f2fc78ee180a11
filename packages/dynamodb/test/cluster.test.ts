import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The process harness and scenarios are shared with the Redis store's tests.
import { startCluster, type Cluster } from '../../redis/test/support/cluster.js';
import {
  everyIdOnceAcrossProcesses,
  lapsedLeaseTakenOver,
  oneIdTwoHundredTimes,
  throwingHandlerRetriedOnce,
} from '../../redis/test/support/scenarios.js';
import { dynamoDbStore } from '../src/index.js';
import { startDynalite, type Dynalite } from './dynalite.js';

const secret = 'whsec_cluster_dynamodb';
const TABLE = 'together-webhook-events';

describe('DynamoDB store under concurrency, through real HTTP', () => {
  let dynamo: Dynalite;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createTable(TABLE);
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  describe('4 processes over one table (dynalite in this process, reached over loopback)', () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster({
        entry: fileURLToPath(new URL('./fixtures/dynamodb-child.ts', import.meta.url)),
        processes: 4,
        secret,
        leaseMs: 10_000,
        env: { DYNAMODB_ENDPOINT: dynamo.endpoint, DYNAMODB_TABLE: TABLE },
      });
    });
    afterAll(async () => {
      await cluster.stop();
    });

    it('runs each of 50 event ids exactly once, each sent to every process 3 times, interleaved', async () => {
      const { deliveries, outcomes } = await everyIdOnceAcrossProcesses(cluster, secret);
      expect(deliveries).toBe(600);
      console.info('dynamodb cluster, 600 deliveries:', outcomes);
    });

    it('runs the handler once for 200 concurrent deliveries of one id', async () => {
      await oneIdTwoHundredTimes(cluster, secret);
    });

    it('retries a handler that throws, and runs it successfully once', async () => {
      await throwingHandlerRetriedOnce(cluster, secret);
    });
  });

  // A lease of 1 s: dynalite's requests take tens of milliseconds here, more under load.
  it('a lapsed lease is taken over while the slow holder still runs', async () => {
    await lapsedLeaseTakenOver(async () => dynamoDbStore({ client: dynamo.client(), tableName: TABLE }), 1_000);
  });
});
