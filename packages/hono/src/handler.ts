/**
 * @module handler — `app.post(path, togetherWebhooks(webhooks))`: the raw bytes (the request's, or
 * those Hono cached for a middleware that read the body first), `handle()`, the answer out.
 */
import type { Context, Handler } from 'hono';
import type { WebhookInput, WebhookResult, Webhooks } from '@x/together-webhooks-core';

/** Options of {@link togetherWebhooks}. */
export interface TogetherWebhooksOptions {
  /** Called with each result just before the answer is built (logging, metrics, `c.header()`). */
  onResult?: (result: WebhookResult, c: Context) => void;
}

const BODY_GONE_FIX =
  'together-webhooks (hono): the request body was already read, and Hono kept no copy of its bytes or ' +
  'text (a middleware read c.req.raw directly, or parsed it with c.req.json() on a Hono older than 4.5, ' +
  'or with c.req.parseBody()), so the bytes the signature covers are gone and every delivery would fail ' +
  'verification. Register the webhook route before that middleware, or have it read ' +
  'c.req.arrayBuffer() / c.req.text() (Hono caches them) or c.req.raw.clone().';

const DECODED_BODY_MISMATCH =
  'together-webhooks (hono): a delivery failed verification (401 signature_mismatch) over the text a ' +
  'middleware read first (c.req.text() or c.req.json(), which Hono caches as text). That text was decoded ' +
  'from the bytes: a body starting with a UTF-8 BOM or holding invalid UTF-8 decodes to other bytes than ' +
  'the sender signed, so such deliveries always fail. Have that middleware read c.req.arrayBuffer() or ' +
  'c.req.raw.clone(), or register the webhook route before it. (A wrong secret or a forged delivery gives ' +
  'the same 401.)';

const encoder = new TextEncoder();

/**
 * Creates the Hono handler that answers signed deliveries of Together AI job events (from this
 * project's watcher or your own sender: Together sends none), in the receiver's scheme.
 *
 * The request body is read once, as bytes, never past `webhooks.maxBodyBytes` (413 from
 * `content-length`, or as soon as the stream passes it). When a middleware read the body first,
 * Hono's body cache is used: bytes a middleware read with `c.req.arrayBuffer()` or
 * `c.req.blob()` are exact; text read with `c.req.text()` or `c.req.json()` is encoded back
 * to UTF-8, which gives the signed bytes for every UTF-8 JSON body (a `signature_mismatch` over it
 * is reported through `onError` with the fix). A body read with nothing cached answers 500 and
 * reports, through `onError`, how to fix the route. Runs wherever Hono runs: only Fetch APIs.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @param options - an optional `onResult` hook
 * @returns the handler for `app.post(path, …)`
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { togetherWebhooks } from '@x/together-webhooks-hono';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * const app = new Hono();
 * app.post('/webhooks/together', togetherWebhooks(webhooks));
 * export default app;
 * ```
 */
export function togetherWebhooks(webhooks: Webhooks, options: TogetherWebhooksOptions = {}): Handler {
  if (typeof webhooks?.handle !== 'function') {
    throw new TypeError('together-webhooks (hono): togetherWebhooks(webhooks) needs the receiver createWebhooks() returned');
  }
  const { onResult } = options;
  return async (c) => {
    const read = await deliveryInput(c, webhooks.maxBodyBytes);
    const result = read instanceof Error ? webhooks.resultForError(read) : await webhooks.handle(read.input);
    if (!(read instanceof Error) && read.decoded && result.outcome === 'rejected' && result.body.error === 'signature_mismatch') {
      webhooks.reportError(new Error(DECODED_BODY_MISMATCH), { phase: 'adapter', outcome: 'rejected' });
    }
    onResult?.(result, c);
    // Sent as the core's JSON text with the core's headers: no app-wide JSON renderer reshapes it.
    return c.body(JSON.stringify(result.body), result.status as 200, result.headers);
  };
}

/** The delivery as the core takes it, and whether its bytes were re-encoded from decoded text. */
interface Read {
  input: WebhookInput;
  decoded: boolean;
}

/**
 * Hono's body cache (`c.req.bodyCache`, hono/src/request.ts): each key holds the promise of the
 * body read that way, and every later read of the request is served from it. (Its type names the
 * values; what it stores are their promises.)
 */
interface BodyCache {
  arrayBuffer?: Promise<ArrayBuffer>;
  blob?: Promise<Blob>;
  text?: Promise<string>;
}

async function deliveryInput(c: Context, maxBodyBytes: number): Promise<Read | Error> {
  const { raw } = c.req;
  const cache = c.req.bodyCache as unknown as BodyCache;
  const headers = raw.headers;
  if (cache.arrayBuffer) return { input: { body: new Uint8Array(await cache.arrayBuffer), headers }, decoded: false };
  if (cache.blob) return { input: { body: new Uint8Array(await (await cache.blob).arrayBuffer()), headers }, decoded: false };
  if (cache.text) return { input: { body: encoder.encode(await cache.text), headers }, decoded: true };
  if (!raw.bodyUsed) {
    // A declared length within the limit bounds the read (an HTTP server delivers no more, and the
    // core checks the bytes' size again), so the runtime's own whole-body read is safe, and faster
    // than a stream read on Node (@hono/node-server reads the socket without building a Web stream).
    const declared = headers.get('content-length');
    if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) <= maxBodyBytes) {
      return { input: { body: new Uint8Array(await c.req.arrayBuffer()), headers }, decoded: false };
    }
    // No length (chunked), or too long: the core reads the stream and stops at its limit, or
    // rejects from content-length without reading.
    return { input: raw, decoded: false };
  }
  return new TypeError(BODY_GONE_FIX);
}
