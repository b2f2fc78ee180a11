/**
 * The four clients the store supports, each opened with the fail-fast settings the README
 * recommends: while Redis is unreachable a command rejects at once instead of queueing.
 */
import { Redis as IORedis6 } from 'ioredis';
import { Redis as IORedis5 } from 'ioredis5';
import { createClient as createClient5 } from 'redis';
import { createClient as createClient4 } from 'redis4';
import type { RedisClientLike } from '../src/index.js';

/** An open client and how to close it. */
export interface OpenClient {
  client: RedisClientLike;
  close: () => Promise<void>;
}

/** A supported client library. */
export interface ClientKind {
  name: string;
  connect(url: string): Promise<OpenClient>;
}

const reconnectDelay = (attempt: number) => Math.min(50 * attempt, 500);

// The options the README recommends for ioredis.
const ioredisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2000,
  retryStrategy: reconnectDelay,
} as const;

function ioredis(name: string, create: (url: string) => IORedis6 | IORedis5): ClientKind {
  return {
    name,
    async connect(url) {
      const client = create(url);
      // ioredis logs every failed reconnect as an unhandled 'error' event unless someone listens.
      client.on('error', () => undefined);
      await client.connect();
      return {
        client,
        close: async () => {
          client.disconnect();
          await Promise.resolve();
        },
      };
    },
  };
}

// The options the README recommends for node-redis.
const nodeRedisOptions = (url: string) =>
  ({ url, disableOfflineQueue: true, socket: { connectTimeout: 2000, reconnectStrategy: reconnectDelay } }) as const;

interface NodeRedisClient {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
}

function nodeRedis(name: string, create: (url: string) => NodeRedisClient & RedisClientLike): ClientKind {
  return {
    name,
    async connect(url) {
      const client = create(url);
      // node-redis emits 'error' on every failed reconnect; unhandled, that would crash the process.
      client.on('error', () => undefined);
      await client.connect();
      return {
        client,
        close: async () => {
          const closable = client as unknown as { destroy?: () => void; disconnect: () => Promise<void> };
          try {
            if (closable.destroy) closable.destroy();
            else await closable.disconnect();
          } catch {
            // already closed
          }
        },
      };
    },
  };
}

/** ioredis 6 and 5, node-redis 5 and 4. */
export const clientKinds: readonly ClientKind[] = [
  ioredis('ioredis 6', (url) => new IORedis6(url, ioredisOptions)),
  ioredis('ioredis 5', (url) => new IORedis5(url, ioredisOptions)),
  nodeRedis('node-redis 5', (url) => createClient5(nodeRedisOptions(url))),
  nodeRedis('node-redis 4', (url) => createClient4(nodeRedisOptions(url))),
];

/** Opens clients and closes every one of them at the end. */
export function clientPool(kind: ClientKind, url: string): { open(): Promise<OpenClient>; closeAll(): Promise<void> } {
  const opened: OpenClient[] = [];
  return {
    async open() {
      const client = await kind.connect(url);
      opened.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((client) => client.close()));
    },
  };
}
