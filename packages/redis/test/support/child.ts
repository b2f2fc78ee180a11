/**
 * The inside of one child process of the cluster tests: a real HTTP server over a store shared
 * with its siblings. Each handler run is appended to a file all processes share (O_APPEND: each
 * line lands whole), which the parent counts.
 *
 * Environment: CHILD_INDEX, RUNS_FILE, WEBHOOK_SECRET, LEASE_MS.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createWebhooks, type IdempotencyStore } from '@x/together-webhooks-core';
import type { TestEventData } from './deliveries.js';
import { serveWebhooks } from './webhook-server.js';

/** A store for this child and how to close its connections. */
export interface ChildStore {
  store: IdempotencyStore;
  close: () => Promise<void>;
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

/** Serves webhooks over the store `open` returns, and prints `listening <url>` once ready. */
export async function serveChild(open: (index: number) => Promise<ChildStore>): Promise<void> {
  const index = Number(env('CHILD_INDEX'));
  const runsFile = env('RUNS_FILE');
  const record = (line: string) => appendFileSync(runsFile, `${line} ${index}\n`);
  const { store, close } = await open(index);

  const webhooks = createWebhooks({
    secret: env('WEBHOOK_SECRET'),
    store,
    leaseMs: Number(env('LEASE_MS')),
    onError(error, context) {
      if (context.phase !== 'handler') record(`error:${context.phase} ${context.event?.id ?? '-'}`);
    },
  });
  webhooks.onAny(async (event) => {
    const data = event.data as TestEventData;
    // Safe to read then write: the claim lets one process at a time run this event's handler.
    if (data.failFirst && !readFileSync(runsFile, 'utf8').includes(`fail ${event.id} `)) {
      record(`fail ${event.id}`);
      throw new Error('the first attempt of this event fails');
    }
    record(`run ${event.id}`);
    await new Promise((resolve) => setTimeout(resolve, data.workMs ?? 10));
  });

  const server = await serveWebhooks(webhooks);
  const shutdown = () => {
    void server
      .close()
      .then(close)
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  // The parent went away: do not linger.
  process.stdin.once('end', shutdown);
  process.stdin.resume();
  process.stdout.write(`listening ${server.url}\n`);
}
