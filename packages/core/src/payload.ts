/**
 * @module payload — turning an authentic body into the event its scheme describes, or an
 * `invalid_payload` rejection.
 */
import { reject } from './errors.js';
import type { TogetherEvent } from './events.js';
import { isObject, type SchemeVerifier, type SignedParts } from './schemes/scheme.js';

/**
 * Parses an authentic body and has the scheme find the event in it (`id` and `type` non-empty
 * strings, `data` an object; other fields pass through as sent; unknown types are kept, not
 * rejected). One message covers every failure: an invalid payload is the sender's bug, and a
 * message per case would cost every bundle its text. A leading byte order mark is kept by both
 * builds' decoders, so JSON.parse rejects it alike in both.
 * @internal
 */
export function parseEvent(text: string, verifier: SchemeVerifier, parts: SignedParts): TogetherEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return reject('invalid_payload');
  }
  return (isObject(payload) && verifier.event(payload, parts)) || reject('invalid_payload');
}
