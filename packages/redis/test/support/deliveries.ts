/**
 * Signed deliveries over real HTTP, and the bookkeeping the process and fault tests share.
 */
import { sign } from '@x/together-webhooks-core';

/** What the handlers of the test servers read from an event's data. */
export interface TestEventData {
  /** How long the handler works, in ms. Default 10. */
  workMs?: number;
  /** The first attempt across all processes throws; the next succeeds. */
  failFirst?: boolean;
}

/** A test event of a catalog type whose data is free-form. */
export function testEvent(id: string, data: TestEventData = {}): { id: string; type: string; created: string; data: TestEventData } {
  return { id, type: 'resource.updated', created: new Date().toISOString(), data };
}

/** One delivery's answer. */
export interface DeliveryAnswer {
  status: number;
  outcome: string | undefined;
  retryAfter: string | null;
}

/** POSTs `event`, signed with `secret` by the core's `sign()`, to `url`. */
export async function deliver(url: string, event: object, secret: string): Promise<DeliveryAnswer> {
  const body = JSON.stringify(event);
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...sign(body, { secret }) },
  });
  const json = (await response.json().catch(() => ({}))) as { outcome?: string };
  return { status: response.status, outcome: json.outcome, retryAfter: response.headers.get('retry-after') };
}

/** Runs `tasks` with at most `concurrency` in flight, in order of the array; answers in the same order. */
export async function runLimited<T>(tasks: readonly (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}

/** Delivers until the answer is 2xx (409 and 503 are retried every `intervalMs`), within `timeoutMs`. */
export async function deliverUntilAcknowledged(
  url: string,
  event: object,
  secret: string,
  { intervalMs = 100, timeoutMs = 30_000 } = {},
): Promise<DeliveryAnswer[]> {
  const answers: DeliveryAnswer[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await deliver(url, event, secret).catch(
      (error: unknown): DeliveryAnswer => ({ status: 0, outcome: String(error), retryAfter: null }),
    );
    answers.push(answer);
    if (answer.status >= 200 && answer.status < 300) return answers;
    if (Date.now() > deadline) throw new Error(`still ${answer.status} ${answer.outcome ?? ''} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A deterministic shuffle (mulberry32), so a failing interleaving can be replayed. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
