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

/** The two headers of the wire format as they arrived, before any check of their content. */
export interface DeliveryHeaders {
  signature: string | undefined;
  timestamp: string | undefined;
}

/**
 * Reads the signature and timestamp headers case-insensitively, in one pass: an iterator (such as
 * `headers.entries()`) can be consumed only once. Several values (an array, or the name repeated)
 * are joined with `,`. Non-string values are ignored.
 * @internal
 */
export function readDeliveryHeaders(headers: HeadersLike): DeliveryHeaders {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be Headers, an object, or [name, value] pairs');
  if (headers instanceof Headers) {
    return { signature: headers.get(SIGNATURE_HEADER) ?? undefined, timestamp: headers.get(TIMESTAMP_HEADER) ?? undefined };
  }
  if (Symbol.iterator in headers) return readFromPairs(headers as Iterable<readonly [string, string]>);
  const record = headers as Record<string, unknown>;
  // Node lowercases incoming header names, so the exact keys are the common case: two lookups.
  const signature = record[SIGNATURE_HEADER];
  const timestamp = record[TIMESTAMP_HEADER];
  if (typeof signature === 'string' && typeof timestamp === 'string' && Object.hasOwn(record, SIGNATURE_HEADER) && Object.hasOwn(record, TIMESTAMP_HEADER)) {
    return { signature, timestamp };
  }
  const found: DeliveryHeaders = { signature: undefined, timestamp: undefined };
  for (const key of Object.keys(record)) collect(found, key, record[key]);
  return found;
}

function readFromPairs(pairs: Iterable<readonly [string, string]>): DeliveryHeaders {
  const found: DeliveryHeaders = { signature: undefined, timestamp: undefined };
  for (const pair of pairs) {
    if (Array.isArray(pair) && typeof pair[0] === 'string') collect(found, pair[0], pair[1]);
  }
  return found;
}

// Both names have the same length, which rules out almost every other header before lowercasing.
function collect(found: DeliveryHeaders, name: string, value: unknown): void {
  if (name.length !== SIGNATURE_HEADER.length) return;
  const lower = name.toLowerCase();
  if (lower === SIGNATURE_HEADER) found.signature = join(found.signature, headerValue(value));
  else if (lower === TIMESTAMP_HEADER) found.timestamp = join(found.timestamp, headerValue(value));
}

// One level only: Node gives string[] for a repeated header, and nothing deeper is a header.
function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? (value as unknown[]).filter((item) => typeof item === 'string').join() : undefined;
}

function join(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : `${a},${b}`;
}
