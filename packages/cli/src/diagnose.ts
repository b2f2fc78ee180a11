/**
 * @module diagnose — verifies a delivery with the core and, when it fails, finds the likely cause
 * by trying what usually goes wrong: a body changed after signing (a trailing newline, JSON
 * re-formatting, line endings, a byte-order mark), a secret with whitespace, a clock out of step,
 * a header lost on the way. Never reveals a secret or the expected signature: it only ever
 * compares, and its messages are built from indexes, counts and the delivery's own headers.
 */
import {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySync,
  WebhookVerificationError,
  type HeadersLike,
  type WebhookVerificationErrorCode,
} from '@x/together-webhooks-core';

/** What to diagnose: a delivery as received, and the receiver's settings. */
export interface DiagnoseInput {
  /** The body bytes exactly as received. */
  body: Uint8Array;
  headers: HeadersLike;
  /** The secrets as configured, untrimmed: whitespace in them is one of the causes looked for. */
  secrets: readonly string[];
  /** The receiver's replay window. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock, ms since the epoch. Default `Date.now()`. */
  now?: number;
}

/** A way the body can differ from the one that was signed. */
export type BodyChange =
  | 'trailing_newline_added'
  | 'trailing_whitespace_added'
  | 'trailing_newline_removed'
  | 'crlf_line_endings'
  | 'lf_line_endings'
  | 'reformatted_from_compact_json'
  | 'reformatted_from_pretty_json'
  | 'byte_order_mark_added';

/** One likely cause of a failure, or a fact about a success. */
export type Cause =
  | { kind: 'secret_whitespace'; secret: number; trimmedVerifies: boolean; message: string }
  | { kind: 'missing_header'; header: string; similar: string[]; message: string }
  | { kind: 'timestamp_format'; message: string }
  | { kind: 'signature_format'; message: string }
  | { kind: 'too_many_signatures'; count: number; message: string }
  | { kind: 'body_changed'; change: BodyChange; secret: number; message: string }
  | { kind: 'clock_skew'; ageSeconds: number; beyondSeconds: number; secret: number; message: string }
  | { kind: 'signed_with_secret'; secret: number; of: number; message: string }
  | { kind: 'unknown_secret_or_body'; message: string }
  | { kind: 'too_large'; bytes: number; message: string }
  | { kind: 'invalid_payload'; message: string };

/** The verdict: what the core answered and, when it refused, why it most likely did. */
export interface Diagnosis {
  ok: boolean;
  /** The core's rejection code, or `invalid_secret` when it refused the configuration. */
  code?: WebhookVerificationErrorCode | 'invalid_secret';
  /** The HTTP status a receiver answers for `code`. */
  status?: number;
  /** The check that failed, in plain words. */
  check?: string;
  /** The core's own message. */
  message?: string;
  /** The verified event. */
  event?: { id: string; type: string };
  /** Index (0-based) of the configured secret that made the signature, when one did. */
  secret?: number;
  /** Seconds since the delivery was signed (negative: signed in the future). */
  ageSeconds?: number;
  causes: Cause[];
}

const checkNames: Readonly<Record<WebhookVerificationErrorCode | 'invalid_secret', string>> = {
  invalid_secret: 'configuration: the secret',
  missing_signature: `headers: ${SIGNATURE_HEADER} present`,
  missing_timestamp: `headers: ${TIMESTAMP_HEADER} present`,
  missing_id: 'headers: webhook-id present',
  invalid_timestamp: `headers: ${TIMESTAMP_HEADER} is Unix seconds`,
  payload_too_large: 'body size',
  signature_mismatch: 'signature',
  timestamp_too_old: 'replay window (too old)',
  timestamp_in_future: 'replay window (in the future)',
  invalid_payload: 'event envelope',
};

const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;
const PREFIXED_SIGNATURE = /^([A-Za-z0-9_-]+)[=:]([0-9a-fA-F]{64})$/;
const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** Secret `i` in words: "the secret" when there is one, "secret #2" when there are several. */
function secretName(index: number, count: number): string {
  return count === 1 ? 'the secret' : `secret #${index + 1}`;
}

/** A body the signature may have been made over, and how the received body differs from it. */
interface Candidate {
  change: BodyChange;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The bodies that were plausibly signed, each paired with the change that would turn it into the
 * received body. Only bodies that differ from the received one are listed.
 */
function candidateBodies(body: Uint8Array): Candidate[] {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const text = strictUtf8(body);
  const received = text ?? '';
  const add = (change: BodyChange, value: string | Uint8Array | undefined) => {
    if (value === undefined) return;
    const bytes = typeof value === 'string' ? encoder.encode(value) : value;
    const key = typeof value === 'string' ? value : `bytes:${String(bytes.byteLength)}:${change}`;
    if ((text !== undefined && value === text) || seen.has(key)) return;
    seen.add(key);
    candidates.push({ change, bytes });
  };

  if (text !== undefined) {
    if (text.endsWith('\r\n')) add('trailing_newline_added', text.slice(0, -2));
    else if (text.endsWith('\n')) add('trailing_newline_added', text.slice(0, -1));
    add('trailing_whitespace_added', text.trimEnd());
    if (!text.endsWith('\n')) add('trailing_newline_removed', `${text}\n`);
    if (text.includes('\r\n')) add('crlf_line_endings', text.replace(/\r\n/g, '\n'));
    if (/(^|[^\r])\n/.test(text)) add('lf_line_endings', text.replace(/\r?\n/g, '\r\n'));
    if (text.startsWith('\uFEFF')) add('byte_order_mark_added', text.slice(1));
    let parsed: unknown;
    try {
      parsed = JSON.parse(received.replace(/^\uFEFF/, ''));
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) {
      add('reformatted_from_compact_json', JSON.stringify(parsed));
      const pretty = JSON.stringify(parsed, null, 2);
      add('reformatted_from_pretty_json', pretty);
      add('reformatted_from_pretty_json', `${pretty}\n`);
    }
  } else if (body.byteLength > 0 && body[body.byteLength - 1] === 0x0a) {
    // Not UTF-8: only byte-level changes can be undone.
    add('trailing_newline_added', body.subarray(0, body.byteLength - 1));
  }
  return candidates;
}

const changeMessages: Readonly<Record<BodyChange, string>> = {
  trailing_newline_added:
    'the body differs from the one that was signed only by a trailing newline: without it, the signature matches. ' +
    'An editor, `echo`, a heredoc or a file saved with a final newline added it; pass the body exactly as received',
  trailing_whitespace_added:
    'the body differs from the one that was signed only by whitespace at its end: without it, the signature matches. ' +
    'Pass the body exactly as received',
  trailing_newline_removed:
    'the body that was signed ended with a newline that this body has lost: with it, the signature matches. ' +
    'Something trimmed the body (a framework, a copy-paste); pass the raw bytes exactly as received',
  crlf_line_endings:
    'the body was signed with LF line endings and now has CRLF: converted back, the signature matches. ' +
    'A Windows tool or a git autocrlf setting rewrote it; keep the raw bytes',
  lf_line_endings:
    'the body was signed with CRLF line endings and now has LF: converted back, the signature matches. ' +
    'An editor or tool rewrote the line endings; keep the raw bytes',
  reformatted_from_compact_json:
    'the body was re-formatted after signing: it was signed as compact JSON, and re-serialised compact, it matches. ' +
    'Something parsed and re-serialised or pretty-printed it (a JSON body parser, a logger, an editor); verify the raw bytes before any parser runs',
  reformatted_from_pretty_json:
    'the body was re-formatted after signing: it was signed as JSON indented with 2 spaces, and re-serialised that way, it matches. ' +
    'Something parsed and re-serialised it (a JSON body parser, JSON.stringify(req.body)); verify the raw bytes before any parser runs',
  byte_order_mark_added:
    'the body starts with a UTF-8 byte-order mark that was not signed: without it, the signature matches. ' +
    'An editor saved the file with a BOM; pass the body exactly as received',
};

/** Does `secret` sign `body` at the delivery's own timestamp? Age is ignored: that is judged apart. */
function signs(body: Uint8Array, headers: HeadersLike, secret: string, timestamp: number): boolean {
  try {
    verifySync({ body, headers }, { secret, maxBodyBytes: UNLIMITED, now: () => timestamp * 1000 });
    return true;
  } catch (error) {
    // Authentic but not an event: the signature itself matched.
    return error instanceof WebhookVerificationError && error.code === 'invalid_payload';
  }
}

/** Every header as a lowercase name and a string value (an array value gives one entry per item). */
function headerEntries(headers: HeadersLike): [string, string][] {
  const entries: [string, string][] = [];
  const add = (name: unknown, value: unknown) => {
    if (typeof name !== 'string') return;
    if (typeof value === 'string') entries.push([name.toLowerCase(), value]);
    else if (Array.isArray(value)) for (const item of value) add(name, item);
  };
  if (typeof Headers === 'function' && headers instanceof Headers) headers.forEach((value, name) => add(name, value));
  else if (Symbol.iterator in headers) for (const [name, value] of headers as Iterable<readonly [string, string]>) add(name, value);
  else for (const [name, value] of Object.entries(headers)) add(name, value);
  return entries;
}

/** One header, its values joined with `,` as the core joins them. */
function readHeader(headers: HeadersLike, name: string): string | undefined {
  const values = headerEntries(headers).filter(([key]) => key === name).map(([, value]) => value);
  return values.length === 0 ? undefined : values.join(',');
}

function headerNames(headers: HeadersLike): string[] {
  return [...new Set(headerEntries(headers).map(([name]) => name))];
}

function missingHeader(headers: HeadersLike, header: string): Cause {
  const word = header === SIGNATURE_HEADER ? 'sig' : 'time';
  const similar = headerNames(headers).filter(
    (name) => name !== SIGNATURE_HEADER && name !== TIMESTAMP_HEADER && (name.includes(word) || name.includes('together')),
  );
  const hint =
    similar.length > 0
      ? `; found ${similar.map((name) => `"${name}"`).join(', ')}: if that holds it, the header was renamed on the way (it must be named ${header})`
      : '';
  return {
    kind: 'missing_header',
    header,
    similar,
    message:
      `the ${header} header is missing: a proxy, load balancer or framework in front of the endpoint dropped it, ` +
      `or it was not copied with the delivery${hint}`,
  };
}

function timestampFormat(value: string): Cause {
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  let looksLike = 'it must be Unix time in whole seconds, decimal digits only';
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) looksLike = 'that looks like an ISO 8601 date: the timestamp must be Unix time in whole seconds';
  else if (/^\d+\.\d+$/.test(value)) looksLike = 'that has a fraction: the timestamp must be whole seconds';
  else if (/^\d{16,}$/.test(value)) looksLike = 'that is far too long for seconds (micro- or nanoseconds?): the timestamp must be Unix seconds';
  else if (value.includes(',')) looksLike = 'the header arrived more than once (its values are joined with ","): send it once';
  else if (value.trim() !== value) looksLike = 'that has surrounding whitespace: the value must be digits only';
  return { kind: 'timestamp_format', message: `${TIMESTAMP_HEADER} is ${shown}: ${looksLike}` };
}

/** What the signature header holds, when it cannot match as written. */
function signatureFormat(header: string): Cause[] {
  const entries = header.split(/[\s,]+/).filter((entry) => entry.length > 0);
  if (entries.length > 8) {
    return [
      {
        kind: 'too_many_signatures',
        count: entries.length,
        message: `${SIGNATURE_HEADER} lists ${entries.length} signatures: at most 8 are considered (bounded work), so the delivery is rejected whatever they are`,
      },
    ];
  }
  if (entries.some((entry) => HEX_SIGNATURE.test(entry))) return [];
  const prefixed = entries.map((entry) => PREFIXED_SIGNATURE.exec(entry)).find((match) => match !== null);
  if (prefixed) {
    return [
      {
        kind: 'signature_format',
        message: `${SIGNATURE_HEADER} holds "${prefixed[1] ?? ''}=" before the hex digits: the header must hold the bare lowercase hex HMAC (whatever added the prefix follows another scheme)`,
      },
    ];
  }
  const lengths = entries.map((entry) => entry.length).join(', ');
  return [
    {
      kind: 'signature_format',
      message: `${SIGNATURE_HEADER} holds no 64-digit hex signature (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} of length ${lengths}): it must be the lowercase hex HMAC-SHA256, not base64 or another scheme`,
    },
  ];
}

function clockSkew(ageSeconds: number, tolerance: number, secret: number, secretCount: number): Cause {
  const beyond = Math.abs(ageSeconds) - tolerance;
  const who = secretCount > 1 ? ` (made with ${secretName(secret, secretCount)})` : '';
  const message =
    ageSeconds > 0
      ? `the signature is valid${who}, but it was made ${ageSeconds} s ago, ${beyond} s beyond the ${tolerance} s replay window: ` +
        `a replay of an old delivery, or this clock is at least ${beyond} s ahead of the sender's (sync it with NTP)`
      : `the signature is valid${who}, but its timestamp is ${-ageSeconds} s in the future, ${beyond} s beyond the ${tolerance} s replay window: ` +
        `this clock is at least ${beyond} s behind the sender's (sync it with NTP)` +
        (ageSeconds < -1e9 ? '; the timestamp looks like milliseconds, and it must be seconds' : '');
  return { kind: 'clock_skew', ageSeconds, beyondSeconds: beyond, secret, message };
}

/**
 * Verifies a delivery exactly as a receiver configured with `secrets` would and, when it fails,
 * explains the likely cause.
 *
 * @param input - the body as received, its headers, and the receiver's secrets and clock
 * @returns the verdict; `ok` when the core accepts the delivery
 * @example
 * ```ts
 * const diagnosis = diagnose({ body, headers, secrets: [process.env.TOGETHER_WEBHOOK_SECRET!] });
 * for (const cause of diagnosis.causes) console.log(cause.message);
 * ```
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  return ordered(inspect(input));
}

// The verdict first, the causes last: how `verify --json` reads best.
function ordered(diagnosis: Diagnosis): Diagnosis {
  const keys = ['ok', 'code', 'status', 'check', 'message', 'event', 'secret', 'ageSeconds', 'causes'] as const;
  const out: Partial<Record<(typeof keys)[number], unknown>> = {};
  for (const key of keys) if (diagnosis[key] !== undefined) out[key] = diagnosis[key];
  return out as Diagnosis;
}

function inspect(input: DiagnoseInput): Diagnosis {
  const { body, headers, secrets } = input;
  if (secrets.length === 0) throw new TypeError('diagnose needs at least one secret');
  secrets.forEach((secret, index) => {
    if (secret.trim() === '') throw new TypeError(`${secretName(index, secrets.length)} is empty`);
  });
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = input.now ?? Date.now();
  const causes: Cause[] = [];
  const diagnosis: Diagnosis = { ok: false, causes };

  // 1. The configuration: the core refuses a secret with surrounding whitespace (a TypeError, so
  //    a receiver would fail at start-up); the rest of the diagnosis uses the trimmed secrets.
  const usable = secrets.map((secret) => secret.trim());
  const padded = secrets.flatMap((secret, index) => (secret !== usable[index] ? [index] : []));
  const verifyWith = padded.length > 0 ? usable : secrets;

  let rejection: WebhookVerificationError | undefined;
  try {
    const event = verifySync({ body, headers }, { secret: verifyWith, toleranceSeconds: tolerance, now: () => nowMs });
    diagnosis.event = { id: event.id, type: event.type };
    diagnosis.ok = padded.length === 0;
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    rejection = error;
  }

  const signatureHeader = readHeader(headers, SIGNATURE_HEADER);
  const timestampHeader = readHeader(headers, TIMESTAMP_HEADER);
  const timestamp = timestampHeader !== undefined && /^[0-9]{1,15}$/.test(timestampHeader) ? Number(timestampHeader) : undefined;

  // Which secret signs the body as received, at its own timestamp (age aside).
  const matching = timestamp === undefined ? -1 : usable.findIndex((secret) => signs(body, headers, secret, timestamp));
  if (timestamp !== undefined) diagnosis.ageSeconds = Math.floor(nowMs / 1000) - timestamp;

  for (const index of padded) {
    const trimmedVerifies = matching === index;
    causes.push({
      kind: 'secret_whitespace',
      secret: index,
      trimmedVerifies,
      message:
        `${secretName(index, secrets.length)} has leading or trailing whitespace (often a newline copied with it), which the SDK refuses: trim it` +
        (trimmedVerifies ? '; trimmed, it verifies this delivery' : ''),
    });
  }

  if (padded.length > 0) {
    diagnosis.code = 'invalid_secret';
    diagnosis.check = checkNames.invalid_secret;
    diagnosis.message = 'the SDK throws a TypeError for a secret with surrounding whitespace, before checking anything';
  } else if (rejection) {
    diagnosis.code = rejection.code;
    diagnosis.status = rejection.status;
    diagnosis.check = checkNames[rejection.code];
    diagnosis.message = rejection.message;
  }
  if (matching >= 0) diagnosis.secret = matching;

  if (diagnosis.ok) {
    if (secrets.length > 1) {
      causes.push({
        kind: 'signed_with_secret',
        secret: matching,
        of: secrets.length,
        message: `signed with ${secretName(matching, secrets.length)} of the ${secrets.length} configured`,
      });
    }
    return diagnosis;
  }

  // 2. The headers.
  if (signatureHeader === undefined || signatureHeader.trim() === '') causes.push(missingHeader(headers, SIGNATURE_HEADER));
  if (timestampHeader === undefined || timestampHeader === '') causes.push(missingHeader(headers, TIMESTAMP_HEADER));
  else if (timestamp === undefined) causes.push(timestampFormat(timestampHeader));
  if (signatureHeader === undefined || signatureHeader.trim() === '' || timestamp === undefined) return diagnosis;

  // 3. The body's size: judged before the signature, so say whether the signature is otherwise good.
  if (rejection?.code === 'payload_too_large') {
    causes.push({
      kind: 'too_large',
      bytes: body.byteLength,
      message:
        `the body is ${body.byteLength} bytes, over the limit (maxBodyBytes, 1 MiB by default): raise maxBodyBytes if deliveries this large are expected` +
        (matching >= 0 ? '; its signature is valid' : ''),
    });
  }

  // 4. The signature: as received, or over a body changed on the way.
  if (matching < 0) {
    causes.push(...signatureFormat(signatureHeader));
    const prefixed = signatureHeader
      .split(/[\s,]+/)
      .map((entry) => PREFIXED_SIGNATURE.exec(entry)?.[2])
      .find((hex) => hex !== undefined);
    let found = false;
    for (const candidate of candidateBodies(body)) {
      const index = usable.findIndex((secret) => signs(candidate.bytes, headers, secret, timestamp));
      if (index < 0) continue;
      found = true;
      const who = secrets.length > 1 ? ` (signed with ${secretName(index, secrets.length)})` : '';
      causes.push({ kind: 'body_changed', change: candidate.change, secret: index, message: changeMessages[candidate.change] + who });
      const age = Math.floor(nowMs / 1000) - timestamp;
      if (Math.abs(age) > tolerance) causes.push(clockSkew(age, tolerance, index, secrets.length));
      break;
    }
    if (!found && prefixed !== undefined) {
      const unprefixed = { [SIGNATURE_HEADER]: prefixed, [TIMESTAMP_HEADER]: String(timestamp) };
      if (usable.some((secret) => signs(body, unprefixed, secret, timestamp))) {
        found = true;
        causes.push({ kind: 'signature_format', message: 'without its prefix, the signature is valid: send the bare hex digits' });
      }
    }
    if (!found && !causes.some((cause) => cause.kind === 'signature_format' || cause.kind === 'too_many_signatures')) {
      causes.push({
        kind: 'unknown_secret_or_body',
        message:
          `${secrets.length === 1 ? 'the secret does not sign' : `none of the ${secrets.length} secrets signs`} this body, nor any usual re-formatting of it ` +
          '(trailing newline, whitespace, line endings, compact or pretty JSON, byte-order mark): most likely the delivery was signed ' +
          'with another secret (another webhook, another environment, or a rotated secret not configured here); otherwise the body ' +
          'or the timestamp was changed in a way not tried here',
      });
    }
    return diagnosis;
  }

  // 5. Authentic: the replay window, then the envelope.
  const age = diagnosis.ageSeconds ?? 0;
  if (Math.abs(age) > tolerance) causes.push(clockSkew(age, tolerance, matching, secrets.length));
  if (rejection?.code === 'invalid_payload') {
    causes.push({
      kind: 'invalid_payload',
      message:
        body.byteLength === 0
          ? 'the body is empty: the signature is valid for an empty body, so the sender signed nothing (or the body was lost before signing)'
          : `${rejection.message}: the sender signed something that is not an event envelope ({ id, type, created, data })`,
    });
  }
  if (padded.length === 0 && secrets.length > 1) {
    causes.push({
      kind: 'signed_with_secret',
      secret: matching,
      of: secrets.length,
      message: `signed with ${secretName(matching, secrets.length)} of the ${secrets.length} configured`,
    });
  }
  return diagnosis;
}
