/**
 * @module payload — turning an authentic body into an event envelope, or an `invalid_payload`
 * rejection.
 */
import { reject } from './errors.js';
import type { TogetherEvent } from './events.js';

/**
 * Parses and checks the envelope: `id` and `type` non-empty strings, `data` an object. Other
 * fields, `created` included, pass through as sent; unknown types are kept, not rejected. One
 * message covers every failure (it names each requirement): an invalid envelope is the sender's
 * bug, and a message per case would cost every bundle its text. A leading byte order mark is
 * kept by both builds' decoders, so JSON.parse rejects it alike in both.
 * @internal
 */
export function parseEvent(text: string): TogetherEvent {
  let event: Partial<Record<'id' | 'type' | 'data', unknown>> | null;
  try {
    event = JSON.parse(text) as typeof event;
  } catch {
    return reject('invalid_payload');
  }
  return isObject(event) && isNonEmptyString(event.id) && isNonEmptyString(event.type) && isObject(event.data)
    ? (event as TogetherEvent)
    : reject('invalid_payload');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
