/**
 * dynalite (a DynamoDB implementation on leveldb) in this process, on a free loopback port, and
 * clients for it. Like DynamoDB Local, it ignores ReturnValuesOnConditionCheckFailure and never
 * deletes expired items: the store's fallback read and its own expiry checks are what is tested.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A running dynalite. */
export interface Dynalite {
  readonly endpoint: string;
  /** A new client for it (its own connection pool); destroyed by `stop`. */
  client(): DynamoDBClient;
  /** Creates a table with a String partition key. */
  createTable(tableName: string, partitionKey?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and a free port. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const created = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    clients.push(created);
    return created;
  };
  return {
    endpoint,
    client,
    async createTable(tableName, partitionKey = 'id') {
      await client().send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async stop() {
      for (const created of clients.splice(0)) created.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Clients the tests did not create (the README example's) may keep idle sockets open.
        server.closeAllConnections();
      });
    },
  };
}
