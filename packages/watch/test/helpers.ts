import { createWebhooks, memoryStore, type IdempotencyStore, type TogetherEvent, type Webhooks, type WebhookOutcome } from '@x/together-webhooks-core';
import { Together } from 'together-ai';
import { afterEach } from 'vitest';
import { watchTogetherJobs, type TogetherJobWatcher, type WatchErrorContext, type WatchOptions } from '../src/index.js';
import { startFakeTogetherApi, type FakeTogetherApi } from './fake-together-api.js';

/** Things to close after each test, last opened first. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
export const onCleanup = (cleanup: () => Promise<void> | void): void => {
  cleanups.push(cleanup);
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 10 ms until it holds; fails with `what` (and `detail()`) after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000, detail?: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${detail ? `: ${JSON.stringify(detail(), null, 1)}` : ''}`);
    }
    await sleep(10);
  }
}

export async function fakeApi(): Promise<FakeTogetherApi> {
  const api = await startFakeTogetherApi();
  onCleanup(() => api.close());
  return api;
}

/** A receiver in this process: what each handler run saw, and every dispatch outcome. */
export interface Receiver {
  webhooks: Webhooks;
  /** One entry per handler run (not per delivery). */
  handled: TogetherEvent[];
  /** Every dispatch and its outcome, duplicates included. */
  outcomes: [string, WebhookOutcome][];
  /** A `deliver` target that records outcomes on the way through. */
  deliver: Webhooks;
  ids: () => string[];
}

export function receiver(store: IdempotencyStore = memoryStore()): Receiver {
  const webhooks = createWebhooks({ secret: 'whsec_test', store });
  const handled: TogetherEvent[] = [];
  const outcomes: [string, WebhookOutcome][] = [];
  webhooks.onAny((event) => {
    handled.push(event);
  });
  const deliver: Webhooks = {
    ...webhooks,
    async dispatch(event) {
      const result = await webhooks.dispatch(event);
      outcomes.push([event.id, result.outcome]);
      return result;
    },
  };
  return { webhooks, handled, outcomes, deliver, ids: () => handled.map((event) => event.id) };
}

export interface Errors {
  list: [unknown, WatchErrorContext][];
  onError: (error: unknown, context: WatchErrorContext) => void;
}

export function errors(): Errors {
  const list: [unknown, WatchErrorContext][] = [];
  return { list, onError: (error, context) => list.push([error, context]) };
}

/** A watcher over `api`, stopped after the test. */
export function watcher(api: FakeTogetherApi, options: Omit<WatchOptions, 'apiKey' | 'baseURL'>): TogetherJobWatcher {
  const watch = watchTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, intervalMs: 50, ...options });
  onCleanup(() => watch.stop());
  return watch;
}

/** A together-ai client over `api` that counts the requests it sends. */
export function countingClient(api: FakeTogetherApi): { client: Together; count: () => number } {
  let requests = 0;
  const client = new Together({
    apiKey: api.apiKey,
    baseURL: api.baseURL,
    maxRetries: 0,
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  return { client, count: () => requests };
}

/** Timeouts pending in this process (`setTimeout`/`setInterval` handles). */
export const pendingTimers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
