/**
 * @module headers — the header names of this project's wire format and a case-insensitive reader
 * for every shape of headers a framework hands over.
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
 * Reads the headers named by `names` (lowercase) case-insensitively, in one pass: an iterator
 * (such as `headers.entries()`) can be consumed only once. Several values (an array, or the name
 * repeated) are joined with `,`. Non-string values are ignored. The one header reader: every
 * scheme, and the CLI's diagnosis, read through it.
 *
 * @param headers - a Fetch `Headers`, a plain object (values possibly arrays), or pairs
 * @param names - lowercase header names
 * @returns each name's value, in the order of `names`, or `undefined` where it is missing
 * @internal
 */
export function readHeaders(headers: HeadersLike, names: readonly string[]): (string | undefined)[] {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be Headers, an object, or [name, value] pairs');
  if (headers instanceof Headers) return names.map((name) => headers.get(name) ?? undefined);
  const found: (string | undefined)[] = names.map(() => undefined);
  if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<readonly [string, string]>) {
      if (Array.isArray(pair) && typeof pair[0] === 'string') collect(found, names, pair[0], pair[1]);
    }
    return found;
  }
  const record = headers as Record<string, unknown>;
  // Node lowercases incoming header names, so the exact keys are the common case: one lookup each.
  let exact = true;
  for (let i = 0; i < names.length; i++) {
    const value = record[names[i]!];
    if (typeof value === 'string' && Object.hasOwn(record, names[i]!)) found[i] = value;
    else exact = false;
  }
  if (exact) return found;
  found.fill(undefined);
  for (const key of Object.keys(record)) collect(found, names, key, record[key]);
  return found;
}

function collect(found: (string | undefined)[], names: readonly string[], name: string, value: unknown): void {
  const index = names.indexOf(name.toLowerCase());
  if (index >= 0) found[index] = join(found[index], headerValue(value));
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
