/**
 * @module payload — turning an authentic body into an event envelope, or an `invalid_payload`
 * rejection that says which part is wrong.
 */
import { reject } from './errors.js';
import type { TogetherEvent } from './events.js';

/**
 * Parses and checks the envelope: `id` and `type` non-empty strings, `data` an object. Other
 * fields, `created` included, pass through as sent; unknown types are kept, not rejected.
 * @internal
 */
export function parseEvent(text: string): TogetherEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return reject('invalid_payload', 'the delivery is authentic but its body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject('invalid_payload', 'the delivery is authentic but its body is not a JSON object');
  }
  const envelope = parsed as Record<string, unknown>;
  if (typeof envelope.id !== 'string' || envelope.id.length === 0) {
    return reject('invalid_payload', 'the delivery is authentic but its event has no id (a non-empty string)');
  }
  if (typeof envelope.type !== 'string' || envelope.type.length === 0) {
    return reject('invalid_payload', 'the delivery is authentic but its event has no type (a non-empty string)');
  }
  const data = envelope.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return reject('invalid_payload', 'the delivery is authentic but its event data is not an object');
  }
  return parsed as TogetherEvent;
}
