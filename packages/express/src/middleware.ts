/**
 * @module middleware — `togetherWebhooks(webhooks)`: the raw body in, `handle()`, the answer out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookResult, Webhooks } from '@x/together-webhooks-core';
import { nodeAdapterResult, writeResult } from '@x/together-webhooks-node-http';

/** The part of an Express request the middleware uses (Express 4 and 5 both satisfy it). */
export type ExpressRequest = IncomingMessage & { body?: unknown };

/** An Express middleware; `app.post(path, togetherWebhooks(webhooks))`. */
export type TogetherWebhooksMiddleware = (
  req: ExpressRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => Promise<void>;

/** Options of {@link togetherWebhooks}. */
export interface TogetherWebhooksOptions {
  /**
   * Called with each result just before it is written (logging, metrics, extra headers on
   * `res`). It must not write the response itself.
   */
  onResult?: (result: WebhookResult, req: ExpressRequest, res: ServerResponse) => void;
}

// express.raw() without `limit` stops at body-parser's 100kb default, below the receiver's maxBodyBytes.
const parsedBodyFix = (maxBodyBytes: number): string =>
  'together-webhooks (express): req.body was already parsed (express.json() or another body parser ran ' +
  'before this route), so the raw bytes the signature covers are gone and every delivery would fail ' +
  'verification. Mount the webhook route before app.use(express.json()), or give it its own raw parser ' +
  "with the receiver's body limit (express.raw({ type: 'application/json' }) alone refuses bodies over " +
  "100kb): app.post(path, express.raw({ type: 'application/json', limit: " +
  `${maxBodyBytes} }), togetherWebhooks(webhooks)).`;

/**
 * Creates the Express middleware that answers signed deliveries of Together AI job events, in the
 * receiver's scheme (this project's `x-together-*` headers, or Standard Webhooks).
 *
 * It reads the raw request stream itself (up to `webhooks.maxBodyBytes`, 413 past it), or uses
 * `req.body` when `express.raw()` (a Buffer) or `express.text()` (a string) ran first; give
 * those parsers `limit` equal to `maxBodyBytes` (`express.raw({ type: 'application/json', limit:
 * '1mb' })` for the default 1 MiB), since their own default of 100kb refuses larger deliveries
 * before this middleware sees them. When a JSON parser already replaced the body with an object,
 * it answers 500 and reports, through the receiver's `onError`, how to fix the route. A client
 * that goes away mid-body is reported through `onError` (a `ClientAbortedError`, phase `adapter`)
 * and nothing is written or passed to `next`.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @param options - an optional `onResult` hook
 * @returns the middleware; it ends every request it sees
 * @example
 * ```ts
 * import express from 'express';
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { togetherWebhooks } from '@x/together-webhooks-express';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * const app = express();
 * app.post('/webhooks/together', togetherWebhooks(webhooks)); // before app.use(express.json())
 * ```
 */
export function togetherWebhooks(webhooks: Webhooks, options: TogetherWebhooksOptions = {}): TogetherWebhooksMiddleware {
  const { onResult } = options;
  const fix = parsedBodyFix(webhooks.maxBodyBytes);
  return (req, res, next) =>
    nodeAdapterResult(webhooks, req, req.body, fix).then(
      (result) => {
        // The client went away mid-body: already reported, and there is no one to answer.
        if (result === undefined) return;
        try {
          onResult?.(result, req, res);
          writeResult(res, result);
        } catch (error) {
          // Express 4 ignores a returned promise: nothing may reject unhandled.
          next(error);
        }
      },
      // Nothing the adapter knows of lands here; Express 4 ignores a rejected promise, so pass it on.
      next,
    );
}
