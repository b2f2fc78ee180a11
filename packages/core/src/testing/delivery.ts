/**
 * @module testing/delivery — signed deliveries for tests: the exact body and the headers a sender
 * would send, ready for `verify`, `handle` or any HTTP client.
 */
import { sign, togetherScheme, type TogetherHeaderName, type WebhookScheme } from '@x/together-webhooks-core';

/** An event envelope: a catalog event, or one of a type newer than this SDK. */
export interface EventEnvelope {
  id: string;
  type: string;
  data: object;
}

/** Options of {@link createSignedDelivery}. */
export interface SignedDeliveryOptions<HeaderName extends string = TogetherHeaderName> {
  /** The webhook secret, or several: a sender rotating its secret signs with each. */
  secret: string | readonly string[];
  /** Unix time in whole seconds the delivery is signed at. Default: now. */
  timestamp?: number;
  /** The scheme to sign with. Default `togetherScheme()`. */
  scheme?: WebhookScheme<HeaderName>;
  /**
   * The message id, for a scheme that carries it in a header (Standard Webhooks' `webhook-id`).
   * Default: the event's `id`; required for a string or bytes body in such a scheme.
   */
  id?: string;
}

/** The headers of a signed delivery: `content-type` and the scheme's signature headers. */
export type SignedDeliveryHeaders<HeaderName extends string = TogetherHeaderName> = Record<'content-type' | HeaderName, string>;

/** A delivery as it goes on the wire: the exact body and its headers. */
export interface SignedDelivery<Body extends string | Uint8Array = string | Uint8Array, HeaderName extends string = TogetherHeaderName> {
  /** The bytes that were signed: send them unchanged. */
  body: Body;
  headers: SignedDeliveryHeaders<HeaderName>;
}

/**
 * Signs a delivery as a sender does (this project's watcher, or your own code). An event is
 * serialised the scheme's way (the envelope itself by default; `{ type, timestamp, data }` with the
 * id in `webhook-id` for Standard Webhooks), and that exact string is the body; a string or bytes
 * body is signed and kept exactly as given, so a test can send bodies that are not events at all.
 *
 * @param payload - an event (serialised), or the exact body (a string, or bytes kept as they are)
 * @param options - the secret (or several during a rotation), the timestamp, the scheme
 * @returns `{ body, headers }`: `content-type: application/json` and the scheme's signature headers
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
export function createSignedDelivery<HeaderName extends string = TogetherHeaderName>(
  payload: Uint8Array,
  options: SignedDeliveryOptions<HeaderName>,
): SignedDelivery<Uint8Array, HeaderName>;
export function createSignedDelivery<HeaderName extends string = TogetherHeaderName>(
  payload: string | EventEnvelope,
  options: SignedDeliveryOptions<HeaderName>,
): SignedDelivery<string, HeaderName>;
export function createSignedDelivery<HeaderName extends string = TogetherHeaderName>(
  payload: string | Uint8Array | EventEnvelope,
  options: SignedDeliveryOptions<HeaderName>,
): SignedDelivery<string | Uint8Array, HeaderName>;
export function createSignedDelivery<HeaderName extends string = TogetherHeaderName>(
  payload: string | Uint8Array | EventEnvelope,
  options: SignedDeliveryOptions<HeaderName>,
): SignedDelivery<string | Uint8Array, HeaderName> {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError('options must be an object with a secret');
  }
  const scheme = (options.scheme ?? togetherScheme()) as WebhookScheme<HeaderName>;
  const event = eventOf(payload);
  const body = event ? scheme.encode(event) : (payload as string | Uint8Array);
  // sign() checks each secret (a string, not empty, no surrounding whitespace), the timestamp and the id.
  const id = options.id ?? event?.id;
  const headers = sign(body, {
    secret: options.secret,
    scheme,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(id === undefined ? {} : { id }),
  });
  return { body, headers: { 'content-type': 'application/json', ...headers } };
}

function eventOf(payload: unknown): EventEnvelope | undefined {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return undefined;
  if (typeof payload === 'object' && payload !== null && !ArrayBuffer.isView(payload) && !(payload instanceof ArrayBuffer)) {
    return payload as EventEnvelope;
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
export function toRequest(delivery: SignedDelivery<string | Uint8Array, string>, url: string | URL = 'http://localhost/webhooks'): Request {
  if (typeof delivery !== 'object' || (delivery as unknown) === null) {
    throw new TypeError('delivery must be the object createSignedDelivery returned');
  }
  // A copy of the bytes: the request owns its body, and the delivery stays reusable.
  const body = typeof delivery.body === 'string' ? delivery.body : new Uint8Array(delivery.body);
  return new Request(url, { method: 'POST', headers: delivery.headers as Record<string, string>, body });
}
