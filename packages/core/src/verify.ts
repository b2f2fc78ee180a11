/**
 * @module verify — checks a delivery's signature (by its scheme) and replay window and returns the
 * typed event.
 */
import { hmacSha256, utf8ByteLength, utf8Decode, withHmacDigests } from '#crypto';
import { normalizeBody, type RawBody } from './bytes.js';
import { reject } from './errors.js';
import type { TogetherEvent } from './events.js';
import type { HeadersLike } from './headers.js';
import { NOW_ERROR, resolveVerifyOptions, type ResolvedVerifyOptions, type VerifyOptions } from './options.js';
import { parseEvent } from './payload.js';
import { readRequestBody } from './request.js';
import type { SignedParts } from './schemes/scheme.js';

/** Raw body bytes (or text) plus the headers they arrived with. */
export interface RawDelivery {
  body: RawBody;
  headers: HeadersLike;
}

/** What `verify` accepts: a Fetch `Request`, or the raw body and headers. */
export type WebhookInput = Request | RawDelivery;

function checkSize(body: string | Uint8Array, options: ResolvedVerifyOptions): void {
  const size = typeof body === 'string' ? utf8ByteLength(body) : body.byteLength;
  if (size > options.maxBodyBytes) reject('payload_too_large');
}

// The signature, then (only once the delivery is known to be authentic) its age, then the event.
function decide(body: string | Uint8Array, parts: SignedParts, digests: readonly Uint8Array[], options: ResolvedVerifyOptions): TogetherEvent {
  const { verifier } = options;
  if (!verifier.matches(digests, parts)) return reject('signature_mismatch');
  const now = options.now();
  // Number.isFinite is false for anything but a finite number.
  if (!Number.isFinite(now)) throw new TypeError(NOW_ERROR);
  const age = Math.floor(now / 1000) - Number(parts.timestamp);
  if (age > options.toleranceSeconds) return reject('timestamp_too_old');
  if (-age > options.toleranceSeconds) return reject('timestamp_in_future');
  return parseEvent(typeof body === 'string' ? body : utf8Decode(body), verifier, parts);
}

function verifyBody(body: string | Uint8Array, parts: SignedParts, options: ResolvedVerifyOptions): TogetherEvent {
  checkSize(body, options);
  return decide(body, parts, options.keys.map((key) => hmacSha256(key, parts.prefix, body)), options);
}

// The size is checked before any hashing; the digests then come from `withHmacDigests`: Web
// Crypto's, once they are ready, in the portable build; the synchronous HMAC, at once, in the Node
// build (no promise to wait for). `fallback` is for a runtime without Web Crypto: the receiver
// passes the bundled HMAC, verify() none (see there).
function verifyBodyAsync(
  body: string | Uint8Array,
  parts: SignedParts,
  options: ResolvedVerifyOptions,
  fallback?: typeof hmacSha256,
): TogetherEvent | Promise<TogetherEvent> {
  checkSize(body, options);
  return withHmacDigests(options.keys, parts.prefix, body, fallback, (digests) => decide(body, parts, digests, options));
}

// Whether `input` is a Fetch `Request` (else `{ body, headers }`). What is not an object at all is
// a TypeError here; a missing body or headers is named by the checks of each.
function isRequest(input: unknown): input is Request {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be a Request or { body, headers }');
  return typeof (input as Partial<Request>).arrayBuffer === 'function';
}

/**
 * Verifies a delivery synchronously: signature over the raw bytes, then the replay window, then
 * the event. The scheme (`options.scheme`) says where the signature is; the default is this
 * project's own `x-together-*` headers, and `standardWebhooksScheme()` reads Standard Webhooks.
 *
 * @param input - the body exactly as received (a Node `Buffer` is a `Uint8Array`) and its headers
 * @param options - the secret (or secrets, during a rotation) and the checks' limits
 * @returns the verified event, typed by its `type`
 * @throws {@link WebhookVerificationError} when the delivery must be rejected (`code`, `status`)
 * @throws `TypeError` when the secret or the input is misconfigured
 * @example
 * ```ts
 * import { verifySync } from '@x/together-webhooks-core';
 *
 * const event = verifySync({ body: rawBody, headers: req.headers }, { secret: process.env.TOGETHER_WEBHOOK_SECRET! });
 * if (event.type === 'fine_tune.completed') console.log(event.data.model_output_name);
 * ```
 */
export function verifySync(input: RawDelivery, options: VerifyOptions): TogetherEvent {
  const resolved = resolveVerifyOptions(options);
  // A Request's body can only be read asynchronously.
  if (isRequest(input)) throw new TypeError('verifySync() cannot read a Request: use verify()');
  const body = normalizeBody(input.body);
  return verifyBody(body, resolved.verifier.read(input.headers), resolved);
}

/**
 * Verifies a delivery: a Fetch `Request` (its body is read once, as bytes, and never beyond
 * `maxBodyBytes`) or the raw body and headers. In the portable build (workers, edge, browsers)
 * the HMAC is Web Crypto's: where a runtime has none (a browser page over plain http), this
 * throws a `TypeError` naming `verifySync`, which works everywhere.
 *
 * @param input - a `Request`, or `{ body, headers }` with the body exactly as received
 * @param options - the secret (or secrets, during a rotation) and the checks' limits
 * @returns the verified event, typed by its `type`
 * @throws {@link WebhookVerificationError} when the delivery must be rejected (`code`, `status`)
 * @throws `TypeError` when the secret or the input is misconfigured
 * @example
 * ```ts
 * import { verify, WebhookVerificationError } from '@x/together-webhooks-core';
 *
 * export async function POST(request: Request) {
 *   try {
 *     const event = await verify(request, { secret: process.env.TOGETHER_WEBHOOK_SECRET! });
 *     return Response.json({ received: event.id });
 *   } catch (error) {
 *     if (error instanceof WebhookVerificationError) return new Response(error.code, { status: error.status });
 *     throw error;
 *   }
 * }
 * ```
 */
export async function verify(input: WebhookInput, options: VerifyOptions): Promise<TogetherEvent> {
  const resolved = resolveVerifyOptions(options);
  if (!isRequest(input)) {
    const body = normalizeBody(input.body);
    return verifyBodyAsync(body, resolved.verifier.read(input.headers), resolved);
  }
  // Headers first: a delivery that cannot be authentic is rejected before its body is read.
  const parts = resolved.verifier.read(input.headers);
  return verifyBodyAsync(await readRequestBody(input, resolved.maxBodyBytes), parts, resolved);
}

/**
 * `verify` with options checked once beforehand (the pipeline's hot path): synchronous for raw
 * bytes, a promise only for a `Request`, whose body is read first.
 * @internal
 */
export function verifyWithResolvedOptions(input: WebhookInput, resolved: ResolvedVerifyOptions): TogetherEvent | Promise<TogetherEvent> {
  if (!isRequest(input)) return verifyBody(normalizeBody(input.body), resolved.verifier.read(input.headers), resolved);
  // Headers first: a delivery that cannot be authentic is rejected before its body is read.
  const parts = resolved.verifier.read(input.headers);
  return readRequestBody(input, resolved.maxBodyBytes).then((body) => verifyBodyAsync(body, parts, resolved, hmacSha256));
}
