/**
 * @module handler — `togetherWebhooks(webhooks)`: the raw bytes in the h3 way of each major,
 * `handle()`, the answer set on the event.
 */
import { WebhookVerificationError, type WebhookResult, type Webhooks } from '@x/together-webhooks-core';
import { misconfiguredResult, nodeAdapterResult } from '@x/together-webhooks-node-http';
import { isV2Event, keptV1Body, type H3EventLike, type H3V1Event, type H3V2Event } from './event.js';

/**
 * An h3 event handler (h3 1 and 2): `router.post(path, togetherWebhooks(webhooks))`, or the
 * default export of a Nuxt server route. It resolves to the JSON text of the answer, with the
 * status and headers set on the event, or nothing when the client went away mid-body.
 */
export interface TogetherWebhooksHandler {
  (event: H3EventLike): Promise<string | undefined>;
  /** h3 1's mark of an event handler (what `defineEventHandler` sets): no implicit-conversion warning. */
  readonly __is_handler__: true;
}

/** Options of {@link togetherWebhooks}. */
export interface TogetherWebhooksOptions {
  /** Called with each result just before it is set on the event (logging, metrics, extra headers). */
  onResult?: (result: WebhookResult, event: H3EventLike) => void;
}

const USED_BODY_FIX =
  'together-webhooks (h3): the request body was already read before this handler (readBody, readRawBody or ' +
  'event.req.json() in a middleware), and h3 2 reads a body once, so the bytes the signature covers are gone. ' +
  'Read nothing from the body before togetherWebhooks(webhooks): keep body-reading middleware off its route, ' +
  'or have it read event.req.clone().';

const READ_STREAM_FIX =
  'together-webhooks (h3): the Node request stream was already read before this handler by something that ' +
  "kept no copy (a Node body parser mounted with fromNodeMiddleware, for example), so the bytes the signature " +
  'covers are gone. Register togetherWebhooks(webhooks) before that middleware, or read bodies with h3\'s ' +
  'readBody, which keeps the raw bytes.';

const PARSED_BODY_FIX =
  'together-webhooks (h3): something put a parsed body (an object, not the bytes) on event.node.req.body ' +
  'before this handler; h3 would re-serialise it, which is not the body that was signed. Let h3 read the body ' +
  '(readBody and readRawBody keep the raw bytes), or register togetherWebhooks(webhooks) before the middleware ' +
  'that parses it.';

/**
 * Creates the h3 event handler that answers signed deliveries of Together AI job events, in the
 * receiver's scheme (this project's `x-together-*` headers, or Standard Webhooks).
 *
 * - h3 2: the core reads `event.req` (a Fetch `Request`) once, as bytes, up to `maxBodyBytes`
 *   (413 from `content-length` before reading, or as soon as the stream passes it). A body
 *   something already read answers 500 and `onError` says how to fix the route.
 * - h3 1 (Nuxt 3, Nitro 2): on Node the request stream is read here up to `maxBodyBytes`; a body
 *   h3 already read (`readBody`/`readRawBody` in a middleware) is taken from h3's cache, as the
 *   bytes received; on Nitro's edge presets the body Nitro hands over is used. A body already
 *   parsed into an object by foreign middleware answers 500 and reports the fix.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @param options - an optional `onResult` hook
 * @returns the event handler
 * @example
 * ```ts
 * // server/routes/webhooks/together.post.ts (Nuxt 3)
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { togetherWebhooks } from '@x/together-webhooks-h3';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * export default togetherWebhooks(webhooks);
 * ```
 */
export function togetherWebhooks(webhooks: Webhooks, options: TogetherWebhooksOptions = {}): TogetherWebhooksHandler {
  const { onResult } = options;
  const answer = (event: H3EventLike, result: WebhookResult | undefined): string | undefined => {
    // The client went away mid-body: already reported, and there is no one to answer.
    if (result === undefined) return undefined;
    onResult?.(result, event);
    if (isV2Event(event)) writeV2(event, result);
    else writeV1(event, result);
    return JSON.stringify(result.body);
  };
  const handler = (event: H3EventLike): Promise<string | undefined> => {
    const result = isV2Event(event) ? resultV2(webhooks, event) : resultV1(webhooks, event);
    return result.then((r) => answer(event, r));
  };
  return Object.assign(handler, { __is_handler__: true as const });
}

function resultV2(webhooks: Webhooks, event: H3V2Event): Promise<WebhookResult> {
  if (event.req.bodyUsed) return Promise.resolve(misconfiguredResult(webhooks, USED_BODY_FIX));
  return webhooks.handle(event.req);
}

function resultV1(webhooks: Webhooks, event: H3V1Event): Promise<WebhookResult | undefined> {
  const { req } = event.node;
  const kept = keptV1Body(event);
  // Nothing read the body: the Node stream, read here, never past the limit.
  if (kept === undefined) return nodeAdapterResult(webhooks, req, undefined, READ_STREAM_FIX);
  // Checked before awaiting what was kept: an oversized body is refused without being read.
  if (Number(req.headers['content-length']) > webhooks.maxBodyBytes) {
    return Promise.resolve(webhooks.resultForError(new WebhookVerificationError('payload_too_large')));
  }
  return Promise.resolve(kept).then((body: unknown) => {
    if (body instanceof Uint8Array || typeof body === 'string') return webhooks.handle({ body, headers: req.headers });
    // A Fetch Request (h3 1 under a web adapter) or a web stream (Nitro's edge presets): read once, within the limit.
    if (isRequest(body)) return webhooks.handle(body);
    if (body instanceof ReadableStream) {
      return webhooks.handle(new Request('http://h3.invalid/', { method: 'POST', body, headers: headersOf(req.headers), duplex: 'half' } as RequestInit));
    }
    return misconfiguredResult(webhooks, PARSED_BODY_FIX);
  });
}

const isRequest = (value: unknown): value is Request => typeof (value as Partial<Request> | null)?.arrayBuffer === 'function';

function headersOf(headers: H3V1Event['node']['req']['headers']): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return result;
}

function writeV2(event: H3V2Event, result: WebhookResult): void {
  event.res.status = result.status;
  for (const [name, value] of Object.entries(result.headers)) event.res.headers.set(name, value);
}

function writeV1(event: H3V1Event, result: WebhookResult): void {
  const { res } = event.node;
  res.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
}
