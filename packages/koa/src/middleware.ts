/**
 * @module middleware — `togetherWebhooks(webhooks)`: the raw body in, `handle()`, the answer out.
 */
import type { IncomingMessage } from 'node:http';
import type { WebhookResult, Webhooks } from '@x/together-webhooks-core';
import { nodeAdapterResult } from '@x/together-webhooks-node-http';

/** The part of a Koa context the middleware uses (Koa 2 and 3 both satisfy it). */
export interface KoaContext {
  req: IncomingMessage;
  request: { body?: unknown; rawBody?: unknown };
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}

/** A Koa middleware; `router.post(path, togetherWebhooks(webhooks))`. It never calls `next`. */
export type TogetherWebhooksMiddleware = (ctx: KoaContext, next?: () => Promise<unknown>) => Promise<void>;

/** Options of {@link togetherWebhooks}. */
export interface TogetherWebhooksOptions {
  /** Called with each result just before it is set on `ctx` (logging, metrics, extra headers). */
  onResult?: (result: WebhookResult, ctx: KoaContext) => void;
}

const PARSED_BODY_FIX =
  'together-webhooks (koa): the request body was already parsed by a body parser that ran before this ' +
  'route and kept no raw body, so the bytes the signature covers are gone and every delivery would fail ' +
  'verification. Register the webhook route before the body parser, or make the parser keep the raw ' +
  'body: @koa/bodyparser and koa-bodyparser set ctx.request.rawBody; koa-body needs { includeUnparsed: true }.';

const DECODED_BODY_MISMATCH =
  'together-webhooks (koa): a delivery failed verification (401 signature_mismatch) over the text a body ' +
  'parser kept (ctx.request.rawBody of @koa/bodyparser or koa-bodyparser, or koa-body\'s unparsed body). ' +
  'That text was decoded from the bytes: a body starting with a UTF-8 BOM or holding invalid UTF-8 decodes ' +
  'to other bytes than the sender signed, so such deliveries always fail. Register the webhook route before ' +
  'the body parser, so the middleware reads the raw bytes. (A wrong secret or a forged delivery gives the ' +
  'same 401.)';

// koa-body with `includeUnparsed: true` keeps the raw text under this symbol of the parsed body.
const KOA_BODY_UNPARSED = Symbol.for('unparsedBody');

/**
 * Creates the Koa middleware that answers signed deliveries of Together AI job events, in the
 * receiver's scheme (this project's `x-together-*` headers, or Standard Webhooks).
 *
 * It reads the raw request stream (up to `webhooks.maxBodyBytes`, 413 past it), or uses the raw
 * body a parser kept (`ctx.request.rawBody`). That kept body is decoded text: when it fails with
 * `signature_mismatch`, the answer stays 401 and `onError` (phase `adapter`) is told that the
 * decoding may be the cause and how to avoid it. When a parser consumed the body and kept nothing
 * raw, it answers 500 and reports, through the receiver's `onError`, how to fix the route. A
 * client that goes away mid-body is reported through `onError` (a `ClientAbortedError`, phase
 * `adapter`); nothing is set on `ctx` and nothing is thrown to Koa's error handling.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @param options - an optional `onResult` hook
 * @returns the middleware; it sets `ctx.status`, the headers and the JSON `ctx.body`
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { togetherWebhooks } from '@x/together-webhooks-koa';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * const router = new Router();
 * router.post('/webhooks/together', togetherWebhooks(webhooks));
 * new Koa().use(router.routes()).listen(3000);
 * ```
 */
export function togetherWebhooks(webhooks: Webhooks, options: TogetherWebhooksOptions = {}): TogetherWebhooksMiddleware {
  const { onResult } = options;
  return async (ctx) => {
    const kept = keptBody(ctx.request);
    const result = await nodeAdapterResult(webhooks, ctx.req, kept, PARSED_BODY_FIX);
    // The client went away mid-body: already reported; Koa writes nothing to a closed socket.
    if (result === undefined) return;
    // Parsers decode before keeping the text (iconv strips a BOM, replaces invalid UTF-8).
    if (typeof kept === 'string' && result.outcome === 'rejected' && result.body.error === 'signature_mismatch') {
      webhooks.reportError(new Error(DECODED_BODY_MISMATCH), { phase: 'adapter', outcome: 'rejected' });
    }
    onResult?.(result, ctx);
    ctx.status = result.status;
    ctx.set(result.headers);
    ctx.body = result.body;
  };
}

// What a body parser that ran first left of the raw body: its text, or its parsed result.
function keptBody(request: KoaContext['request']): unknown {
  if (request.rawBody !== undefined) return request.rawBody;
  const parsed = request.body;
  if (typeof parsed === 'object' && parsed !== null && KOA_BODY_UNPARSED in parsed) {
    return (parsed as Record<symbol, unknown>)[KOA_BODY_UNPARSED];
  }
  return parsed;
}
