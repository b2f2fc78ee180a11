/**
 * @module shared — what every event source needs: the exact body bytes and lowercase headers.
 */
import type { MultiValueHeaders, SingleValueHeaders } from './events.js';

/**
 * The body exactly as the client sent it: base64 decoded to its bytes when API Gateway or the ALB
 * encoded it (binary media types, or a body that is not text), else the text as passed.
 *
 * @param body - the event's `body`, absent or `null` for an empty body
 * @param isBase64Encoded - the event's flag
 * @returns bytes or text for `handle()`
 */
export function eventBody(body: string | null | undefined, isBase64Encoded: boolean): string | Uint8Array {
  if (body === null || body === undefined) return '';
  return isBase64Encoded ? Buffer.from(body, 'base64') : body;
}

/**
 * Headers with lowercase names; a name that appears in both maps takes its `multiValueHeaders`
 * values (they hold every repetition, `headers` only the last one). Names that differ only in
 * case are merged, their values kept in order.
 *
 * @param single - the event's `headers`
 * @param multi - the event's `multiValueHeaders`, if the source sends them
 * @returns headers for `handle()`
 */
export function eventHeaders(
  single: SingleValueHeaders | null | undefined,
  multi?: MultiValueHeaders | null,
): Record<string, string[]> {
  // Null-prototype maps: a header named `__proto__` is just a header.
  const fromMulti: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (multi) {
    for (const name of Object.keys(multi)) {
      const values = multi[name];
      if (values && values.length > 0) append(fromMulti, name.toLowerCase(), values);
    }
  }
  const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (single) {
    for (const name of Object.keys(single)) {
      const value = single[name];
      const lower = name.toLowerCase();
      if (value !== undefined && !(lower in fromMulti)) append(headers, lower, [value]);
    }
  }
  return Object.assign(headers, fromMulti);
}

function append(headers: Record<string, string[]>, name: string, values: readonly string[]): void {
  const existing = headers[name];
  if (existing) existing.push(...values);
  else headers[name] = [...values];
}
