/**
 * @module headers — the header names of the wire format and a case-insensitive reader for every
 * shape of headers a framework hands over.
 */

/** Header holding one or more lowercase-hex HMAC-SHA256 signatures. */
export const SIGNATURE_HEADER = 'x-together-signature';
/** Header holding the Unix time, in whole seconds, at which the delivery was signed. */
export const TIMESTAMP_HEADER = 'x-together-timestamp';

/**
 * Headers in any shape a runtime or framework provides: a Fetch `Headers`, Node's
 * `IncomingHttpHeaders` (or any plain object, values possibly arrays), or `[name, value]` pairs.
 */
export type HeadersLike =
  | Headers
  | Record<string, string | string[] | undefined>
  | Iterable<readonly [string, string]>;

/**
 * Reads one header by its lowercase `name`, case-insensitively. Several values (an array, or the
 * name repeated) are joined with `,`. Non-string values are ignored.
 * @internal
 */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) {
    throw new TypeError('headers must be a Headers object, a plain object, or an iterable of [name, value] pairs');
  }
  if (typeof Headers === 'function' && headers instanceof Headers) return headers.get(name) ?? undefined;
  if (Symbol.iterator in headers) return readFromPairs(headers as Iterable<readonly [string, string]>, name);
  const record = headers as Record<string, unknown>;
  // Node lowercases incoming header names, so the exact key is the common case.
  if (Object.prototype.hasOwnProperty.call(record, name)) return headerValue(record[name]);
  let found: string | undefined;
  for (const key of Object.keys(record)) {
    if (key.length === name.length && key.toLowerCase() === name) found = join(found, headerValue(record[key]));
  }
  return found;
}

function readFromPairs(pairs: Iterable<readonly [string, string]>, name: string): string | undefined {
  let found: string | undefined;
  for (const pair of pairs) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string') continue;
    if (pair[0].length === name.length && pair[0].toLowerCase() === name) found = join(found, headerValue(pair[1]));
  }
  return found;
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  let joined: string | undefined;
  for (const item of value) joined = join(joined, headerValue(item));
  return joined;
}

function join(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : `${a},${b}`;
}
