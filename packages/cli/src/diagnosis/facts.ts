/**
 * @module diagnosis/facts — everything the checks reason from, gathered once: the scheme's headers
 * (read by the core's one header reader), the secrets as the core takes them, the core's verdict,
 * and which secret signs the body as received. Every "does this sign" question is put to the
 * core's `verifySync`, except the guesses about a sender's mistakes that the core cannot express
 * (a wrong key, a part left out of what is signed), which compare HMACs here. Nothing computed
 * here is ever printed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sign, verifySync, WebhookVerificationError, type HeadersLike, type TogetherEvent } from '@x/together-webhooks-core';
import { DEFAULT_TOLERANCE_SECONDS, readHeaders, TIMESTAMP_PATTERN } from '@x/together-webhooks-core/internal';
import type { ReceivedBody } from './body-changes.js';
import type { DiagnoseInput } from './types.js';
import { wireFormats, type SignedParts, type WireFormat } from './wire.js';

/** The headers of one scheme, as the core reads them. */
export interface SchemeHeaders {
  signature?: string;
  timestamp?: string;
  id?: string;
}

/** What every check reads. */
export interface Facts {
  wire: WireFormat;
  /** The scheme not configured: a delivery signed with it is a likely mistake. */
  other: WireFormat;
  body: ReceivedBody;
  headers: HeadersLike;
  values: SchemeHeaders;
  otherValues: SchemeHeaders;
  /** The secrets as configured, untrimmed. */
  secrets: readonly string[];
  /** The secrets trimmed: what the rest of the diagnosis tries. */
  usable: readonly string[];
  /** Indexes of the secrets with surrounding whitespace. */
  padded: readonly number[];
  /** Trimmed secrets the scheme refuses, and the core's reason (its message without "secret"). */
  refused: ReadonlyMap<number, string>;
  tolerance: number;
  nowSeconds: number;
  /** The core's answer, with the trimmed secrets it accepts. */
  event?: TogetherEvent;
  rejection?: WebhookVerificationError;
  /** The timestamp header's Unix seconds, when it is well-formed. */
  timestamp?: number;
  /** The signed parts, when the headers are all there and well-formed. */
  parts?: SignedParts;
  /** The secret that signs the body as received, at its own timestamp (age aside); -1 for none. */
  matching: number;
  /** The secret (index) that signs `body` with these headers at their own timestamp; -1 for none. */
  signer: (body: string | Uint8Array, headers?: SchemeHeaders) => number;
  /**
   * The secret (index) one of whose keys, `keyOf(secret, index)`, makes an HMAC of `prefix` + the
   * body that the signature header lists; -1 for none.
   */
  keyedBy: (keyOf: (secret: string, index: number) => readonly (string | Uint8Array)[], prefix: string) => number;
}

/** Whether a header is missing as the core sees a signature or an id: absent or blank. */
export const isBlank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const ROLES = ['signature', 'timestamp', 'id'] as const;

/** The headers of each scheme, in one read. */
function readSchemeHeaders(headers: HeadersLike, formats: readonly WireFormat[]): SchemeHeaders[] {
  const wanted = formats.flatMap((format) => ROLES.flatMap((role) => (format.headers[role] === undefined ? [] : [{ format, role }])));
  const values = readHeaders(headers, wanted.map(({ format, role }) => format.headers[role]!));
  return formats.map((format) =>
    Object.fromEntries(wanted.flatMap(({ format: of, role }, index) => (of === format && values[index] !== undefined ? [[role, values[index]]] : []))),
  );
}

/** The signed parts, when the core would read the headers without rejecting them. */
function signedParts(wire: WireFormat, values: SchemeHeaders): SignedParts | undefined {
  const { signature, timestamp, id } = values;
  if (isBlank(signature) || timestamp === undefined || !TIMESTAMP_PATTERN.test(timestamp)) return undefined;
  if (wire.headers.id !== undefined && isBlank(id)) return undefined;
  return { signature: signature!, timestamp: Number(timestamp), ...(id === undefined ? {} : { id }) };
}

/** The core's reason for refusing `secret` in this scheme, or nothing when it takes it. */
function refusal(wire: WireFormat, secret: string): string | undefined {
  try {
    sign('', { secret, scheme: wire.scheme, id: 'check', timestamp: 0 });
    return undefined;
  } catch (error) {
    if (error instanceof TypeError) return error.message.replace(/^secret\S*/, '');
    throw error;
  }
}

/** The secrets as the diagnosis tries them: trimmed, and without those the scheme refuses. */
function secretsOf(wire: WireFormat, secrets: readonly string[]) {
  if (secrets.length === 0) throw new TypeError('diagnose needs at least one secret');
  secrets.forEach((secret, index) => {
    if (secret.trim() === '') throw new TypeError(`${secretName(index, secrets.length)} is empty`);
  });
  const usable = secrets.map((secret) => secret.trim());
  const padded = secrets.flatMap((secret, index) => (secret !== usable[index] ? [index] : []));
  const refused = new Map(usable.flatMap((secret, index) => {
    const reason = refusal(wire, secret);
    return reason === undefined ? [] : [[index, reason] as const];
  }));
  const accepted = usable.flatMap((secret, index) => (refused.has(index) ? [] : [{ secret, index }]));
  return { usable, padded, refused, accepted };
}

/** The core's answer for the delivery as received, with the secrets it accepts (none: no answer). */
function coreVerdict(input: DiagnoseInput, wire: WireFormat, secrets: readonly string[], tolerance: number, nowMs: number) {
  if (secrets.length === 0) return {};
  try {
    const options = { secret: secrets, scheme: wire.scheme, toleranceSeconds: tolerance, now: () => nowMs };
    return { event: verifySync({ body: input.body, headers: input.headers }, options) };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return { rejection: error };
  }
}

/** {@link Facts.signer}: the core verifies `body` with each accepted secret in turn. */
function signerOf(wire: WireFormat, parts: SignedParts | undefined, values: SchemeHeaders, accepted: readonly { secret: string; index: number }[]) {
  return (body: string | Uint8Array, signed: SchemeHeaders = values): number => {
    if (parts === undefined) return -1;
    const headers: Record<string, string> = {};
    for (const role of ROLES) {
      const name = wire.headers[role];
      const value = signed[role];
      if (name !== undefined && value !== undefined) headers[name] = value;
    }
    return accepted.find(({ secret }) => signsAt(wire, body, headers, secret, parts.timestamp))?.index ?? -1;
  };
}

/** {@link Facts.keyedBy}: HMACs compared here, in constant time, for the mistakes the core cannot express. */
function keyedByOf(wire: WireFormat, parts: SignedParts | undefined, body: Uint8Array, usable: readonly string[]): Facts['keyedBy'] {
  const macs = parts === undefined ? [] : wire.macs(parts.signature);
  return (keyOf, prefix) => {
    const listed = (key: string | Uint8Array) => {
      const mac = createHmac('sha256', key).update(prefix).update(body).digest();
      return macs.some((candidate) => candidate.byteLength === mac.byteLength && timingSafeEqual(candidate, mac));
    };
    return macs.length === 0 ? -1 : usable.findIndex((secret, index) => keyOf(secret, index).some(listed));
  };
}

/** Gathers the facts; throws a `TypeError` for no secret or an empty one (the CLI checks first). */
export function gatherFacts(input: DiagnoseInput): Facts {
  const wire = wireFormats[input.scheme ?? 'together'];
  const other = wireFormats[wire.name === 'together' ? 'standard' : 'together'];
  const [values = {}, otherValues = {}] = readSchemeHeaders(input.headers, [wire, other]);
  const { usable, padded, refused, accepted } = secretsOf(wire, input.secrets);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = input.now ?? Date.now();
  const parts = signedParts(wire, values);
  const signer = signerOf(wire, parts, values, accepted);
  return {
    wire, other, values, otherValues, usable, padded, refused, tolerance, signer,
    headers: input.headers,
    secrets: input.secrets,
    body: { bytes: input.body, text: strictUtf8(input.body) },
    nowSeconds: Math.floor(nowMs / 1000),
    ...coreVerdict(input, wire, accepted.map(({ secret }) => secret), tolerance, nowMs),
    ...(parts === undefined ? {} : { parts }),
    ...(values.timestamp !== undefined && TIMESTAMP_PATTERN.test(values.timestamp) ? { timestamp: Number(values.timestamp) } : {}),
    matching: signer(input.body),
    keyedBy: keyedByOf(wire, parts, input.body, usable),
  };
}

/** Does `secret` sign `body` at the delivery's own timestamp? Age and size are judged apart. */
function signsAt(wire: WireFormat, body: string | Uint8Array, headers: Record<string, string>, secret: string, timestamp: number): boolean {
  try {
    verifySync({ body, headers }, { secret, scheme: wire.scheme, maxBodyBytes: Number.MAX_SAFE_INTEGER, now: () => timestamp * 1000 });
    return true;
  } catch (error) {
    // Authentic but not an event: the signature itself matched.
    return error instanceof WebhookVerificationError && error.code === 'invalid_payload';
  }
}

/** Secret `index` in words: "the secret" when there is one, "secret #2" when there are several. */
export function secretName(index: number, count: number): string {
  return count === 1 ? 'the secret' : `secret #${index + 1}`;
}

/** The names of the headers, lowercase, for the renamed-header hint; values are read only by `readHeaders`. */
export function headerNames(headers: HeadersLike): string[] {
  let names: string[];
  if (headers instanceof Headers) names = [...headers.keys()];
  else if (Symbol.iterator in headers) {
    names = [...(headers as Iterable<readonly [string, string]>)].flatMap((pair) => (Array.isArray(pair) && typeof pair[0] === 'string' ? [pair[0]] : []));
  } else names = Object.keys(headers);
  return [...new Set(names.map((name) => name.toLowerCase()))];
}
