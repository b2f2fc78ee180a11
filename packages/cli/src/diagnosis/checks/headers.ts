/**
 * @module diagnosis/checks/headers — the scheme's headers: the other scheme's instead, one lost on
 * the way (and a look-alike that may be it, renamed), a timestamp that is not Unix seconds.
 */
import { TIMESTAMP_PATTERN } from '@x/together-webhooks-core/internal';
import { foundAny, type Check } from '../check.js';
import { headerNames, isBlank, type SchemeHeaders } from '../facts.js';
import type { Cause } from '../types.js';

/** No signature header of this scheme, but one of the other: the receiver expects the wrong scheme. */
export const wrongScheme: Check = {
  name: 'delivery of the other scheme',
  find: ({ wire, other, values, otherValues }) => {
    if (!isBlank(values.signature) || isBlank(otherValues.signature)) return undefined;
    return {
      kind: 'wrong_scheme',
      scheme: other.name,
      message:
        `this delivery carries ${other.headers.signature}, not ${wire.headers.signature}: it was signed with the ${other.label} scheme; ` +
        `verify it with --scheme ${other.name}`,
    };
  },
};

// What a renamed header of each role is likely to contain besides the scheme's own word.
const roleWords: Readonly<Record<keyof SchemeHeaders, string | undefined>> = { signature: 'sig', timestamp: 'time', id: undefined };

/** A lost header; `role` is which (the core checks signature, then id, then timestamp). */
export function missingHeader(role: keyof SchemeHeaders): Check {
  return {
    name: `missing ${role} header`,
    find: ({ wire, other, headers, values }, found): Cause | undefined => {
      const header = wire.headers[role];
      const value = values[role];
      // The core reads a blank timestamp as present, and invalid.
      const missing = role === 'timestamp' ? value === undefined || value === '' : isBlank(value);
      if (header === undefined || !missing || foundAny(found, ['wrong_scheme'])) return undefined;
      const own = new Set([...Object.values(wire.headers), ...Object.values(other.headers)]);
      const family = wire.name === 'together' ? 'together' : 'webhook';
      const word = roleWords[role];
      const similar = headerNames(headers).filter((name) => !own.has(name) && (name.includes(family) || (word !== undefined && name.includes(word))));
      const hint =
        similar.length > 0
          ? `; found ${similar.map((name) => `"${name}"`).join(', ')}: if that holds it, the header was renamed on the way (it must be named ${header})`
          : '';
      return {
        kind: 'missing_header',
        header,
        similar,
        message: `the ${header} header is missing: a proxy, load balancer or framework in front of the endpoint dropped it, or it was not copied with the delivery${hint}`,
      };
    },
  };
}

/** A timestamp that is there but not whole Unix seconds: what it looks like instead. */
export const timestampFormat: Check = {
  name: 'timestamp is Unix seconds',
  find: ({ wire, values: { timestamp: value } }) => {
    if (value === undefined || value === '' || TIMESTAMP_PATTERN.test(value)) return undefined;
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    let looksLike = 'it must be Unix time in whole seconds, decimal digits only';
    if (/^\d{4}-\d{2}-\d{2}/.test(value)) looksLike = 'that looks like an ISO 8601 date: the timestamp must be Unix time in whole seconds';
    else if (/^\d+\.\d+$/.test(value)) looksLike = 'that has a fraction: the timestamp must be whole seconds';
    else if (/^\d+$/.test(value)) looksLike = 'that is far too long for seconds (micro- or nanoseconds?): the timestamp must be Unix seconds';
    else if (value.includes(',')) looksLike = 'the header arrived more than once (its values are joined with ","): send it once';
    else if (value.trim() !== value) looksLike = 'that has surrounding whitespace: the value must be digits only';
    return { kind: 'timestamp_format', message: `${wire.headers.timestamp} is ${shown}: ${looksLike}` };
  },
};
