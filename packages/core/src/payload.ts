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
  let event: Partial<Record<'id' | 'type' | 'data', unknown>> | null;
  try {
    event = JSON.parse(text) as typeof event;
  } catch {
    return reject('invalid_payload', 'authentic, but the body is not JSON');
  }
  const problem = !isObject(event)
    ? 'the body is not an object'
    : !isNonEmptyString(event.id)
      ? 'id is not a non-empty string'
      : !isNonEmptyString(event.type)
        ? 'type is not a non-empty string'
        : !isObject(event.data)
          ? 'data is not an object'
          : undefined;
  if (problem) return reject('invalid_payload', `authentic, but ${problem}`);
  return event as TogetherEvent;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
