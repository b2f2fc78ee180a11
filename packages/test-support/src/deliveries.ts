/**
 * @module deliveries — realistic events and the signed deliveries a sender (this project's watcher,
 * or the user's own code) puts on the wire, in either scheme.
 */
import { sign, standardWebhooksScheme } from '@x/together-webhooks-core';
import { STANDARD_TEST_SECRET, TEST_SECRET } from './secrets.js';

let sequence = 0;

/** A unique event id for this test run. */
export function nextEventId(prefix = 'evt'): string {
  sequence += 1;
  return `${prefix}_${process.pid}_${Date.now()}_${sequence}`;
}

/** A `fine_tune.completed` event (or another type) shaped like Together's job objects. */
export function makeEvent(options: { id?: string; type?: string; padTo?: number } = {}): Record<string, unknown> {
  const id = options.id ?? nextEventId();
  const event: Record<string, unknown> = {
    id,
    type: options.type ?? 'fine_tune.completed',
    created: '2026-01-15T10:30:00.000Z',
    data: {
      id: 'ft-6a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b',
      status: 'completed',
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c',
      training_file: 'file-7d3e1a52-64f4-4fa6-9e3b-2b1f5f7c9d10',
      n_epochs: 3,
      epochs_completed: 3,
      token_count: 1_204_311,
      total_price: 1_830_000,
      created_at: '2026-01-15T09:02:11.000Z',
      updated_at: '2026-01-15T10:29:58.000Z',
    },
  };
  if (options.padTo !== undefined) {
    const size = JSON.stringify(event).length;
    if (size < options.padTo) (event.data as Record<string, unknown>).note = 'x'.repeat(options.padTo - size - 10);
  }
  return event;
}

/**
 * The bytes of a valid event whose `data.note` holds bytes that are not UTF-8: only a receiver
 * that verifies the exact bytes accepts it (decoding to text and back changes them).
 */
export function notUtf8Event(id = nextEventId()): Uint8Array {
  const [before, after] = JSON.stringify(makeEvent({ id })).split('"status"') as [string, string];
  return Buffer.concat([Buffer.from(`${before}"note":"`), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(`","status"${after}`)]);
}

/** A signed delivery: the body and the headers a sender would put on it. */
export interface SignedDelivery<Body extends string | Uint8Array = string> {
  id: string;
  body: Body;
  headers: Record<string, string>;
}

/** Signs `event` (default: a fresh `fine_tune.completed`) in the `x-together-*` scheme. */
export function signedDelivery(
  options: { event?: Record<string, unknown>; secret?: string; timestamp?: number } = {},
): SignedDelivery {
  const event = options.event ?? makeEvent();
  const body = JSON.stringify(event);
  const secret = options.secret ?? TEST_SECRET;
  return {
    id: String(event.id),
    body,
    headers: { 'content-type': 'application/json', ...sign(body, options.timestamp === undefined ? { secret } : { secret, timestamp: options.timestamp }) },
  };
}

/** Signs exact bytes (or text) in the `x-together-*` scheme; `id` is the event id they hold. */
export function signedBytes<Body extends string | Uint8Array>(id: string, body: Body, secret = TEST_SECRET): SignedDelivery<Body> {
  return { id, body, headers: { 'content-type': 'application/json', ...sign(body, { secret }) } };
}

/**
 * Signs `event` in the Standard Webhooks scheme: the body is `{ type, timestamp, data }` and the
 * event id travels in `webhook-id`.
 */
export function standardDelivery(options: { event?: Record<string, unknown>; secret?: string } = {}): SignedDelivery {
  const event = options.event ?? makeEvent();
  const id = String(event.id);
  const body = JSON.stringify({ type: event.type, timestamp: event.created, data: event.data });
  return {
    id,
    body,
    headers: { 'content-type': 'application/json', ...sign(body, { secret: options.secret ?? STANDARD_TEST_SECRET, scheme: standardWebhooksScheme(), id }) },
  };
}
