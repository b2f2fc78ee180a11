/**
 * @module testing/delivery — signed deliveries for tests: the exact body and the headers a sender
 * would send, ready for `verify`, `handle` or any HTTP client.
 */
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@x/together-webhooks-core';

/** An event envelope: a catalog event, or one of a type newer than this SDK. */
export interface EventEnvelope {
  id: string;
  type: string;
  data: object;
}

/** Options of {@link createSignedDelivery}. */
export interface SignedDeliveryOptions {
  /** The webhook secret, or several: a sender rotating its secret signs with each (one header, `,`-separated). */
  secret: string | readonly string[];
  /** Unix time in whole seconds the delivery is signed at. Default: now. */
  timestamp?: number;
}

/** The headers of a signed delivery. */
export type SignedDeliveryHeaders = Record<'content-type' | typeof SIGNATURE_HEADER | typeof TIMESTAMP_HEADER, string>;

/** A delivery as it goes on the wire: the exact body and its headers. */
export interface SignedDelivery<Body extends string | Uint8Array = string | Uint8Array> {
  /** The bytes that were signed: send them unchanged. */
  body: Body;
  headers: SignedDeliveryHeaders;
}

/**
 * Signs a delivery the way Together does: an event is serialised with `JSON.stringify` (that
 * exact string is the body); a string or bytes body is signed and kept exactly as given, so a
 * test can send bodies that are not events at all.
 *
 * @param payload - an event (serialised), or the exact body (a string, or bytes kept as they are)
 * @param options - the secret (or several during a rotation) and, optionally, the timestamp
 * @returns `{ body, headers }`: `content-type: application/json` and the two signature headers
 * @example
 * ```ts
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
 *
 * const secret = 'whsec_test_secret';
 * const webhooks = createWebhooks({ secret, store: memoryStore() }).on('batch.completed', () => {});
 * const delivery = createSignedDelivery(createTestEvent('batch.completed'), { secret });
 * const result = await webhooks.handle(delivery); // result.outcome === 'processed'
 *
 * const stale = createSignedDelivery(createTestEvent('batch.completed'), {
 *   secret,
 *   timestamp: Math.floor(Date.now() / 1000) - 3600,
 * });
 * (await webhooks.handle(stale)).body.error; // 'timestamp_too_old'
 * ```
 */
export function createSignedDelivery(payload: Uint8Array, options: SignedDeliveryOptions): SignedDelivery<Uint8Array>;
export function createSignedDelivery(payload: string | EventEnvelope, options: SignedDeliveryOptions): SignedDelivery<string>;
export function createSignedDelivery(
  payload: string | Uint8Array | EventEnvelope,
  options: SignedDeliveryOptions,
): SignedDelivery;
export function createSignedDelivery(
  payload: string | Uint8Array | EventEnvelope,
  options: SignedDeliveryOptions,
): SignedDelivery {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError('options must be an object with a secret');
  }
  const body = bodyOf(payload);
  const secret: unknown = options.secret;
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new TypeError('secret must be a non-empty string or a non-empty array of strings');
  }
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  // sign() checks each secret (a string, not empty, no surrounding whitespace) and the timestamp.
  const signatures = (secrets as readonly string[]).map((secret) => sign(body, { secret, timestamp })[SIGNATURE_HEADER]);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signatures.join(','),
      [TIMESTAMP_HEADER]: String(timestamp),
    },
  };
}

function bodyOf(payload: unknown): string | Uint8Array {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return payload;
  if (typeof payload === 'object' && payload !== null && !ArrayBuffer.isView(payload) && !(payload instanceof ArrayBuffer)) {
    return JSON.stringify(payload);
  }
  throw new TypeError('payload must be an event object, a string body or a Uint8Array body');
}

/**
 * Turns a delivery into a Fetch `Request` (POST), for handlers that take one: a Next.js route
 * handler, a worker's `fetch`, `webhooks.handle(request)`.
 *
 * @param delivery - from {@link createSignedDelivery}
 * @param url - the endpoint's URL; only its form matters when the request is handled in process
 * @returns a new `Request` carrying the delivery's exact body and headers
 * @example
 * ```ts
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { createSignedDelivery, createTestEvent, toRequest } from '@x/together-webhooks-core/testing';
 *
 * const secret = 'whsec_test_secret';
 * const webhooks = createWebhooks({ secret }).on('video.completed', (event) => console.log(event.data.outputs?.video_url));
 * // A Next.js route handler or a worker's fetch takes the same Request.
 * const POST = (request: Request) => webhooks.handle(request).then((r) => Response.json(r.body, { status: r.status }));
 *
 * const delivery = createSignedDelivery(createTestEvent('video.completed'), { secret });
 * const response = await POST(toRequest(delivery, 'http://localhost/api/webhooks'));
 * response.status; // 200
 * ```
 */
export function toRequest(delivery: SignedDelivery, url: string | URL = 'http://localhost/webhooks'): Request {
  if (typeof delivery !== 'object' || (delivery as unknown) === null) {
    throw new TypeError('delivery must be the object createSignedDelivery returned');
  }
  // A copy of the bytes: the request owns its body, and the delivery stays reusable.
  const body = typeof delivery.body === 'string' ? delivery.body : new Uint8Array(delivery.body);
  return new Request(url, { method: 'POST', headers: delivery.headers, body });
}
