/**
 * @module route-handler — App Router: `export const POST = createRouteHandler(webhooks)`.
 */
import type { Webhooks } from '@x/together-webhooks-core';

/** An App Router route handler. */
export type RouteHandler = (request: Request) => Promise<Response>;

/**
 * Creates an App Router route handler. The core reads the `Request` body once, as bytes (never
 * past `maxBodyBytes`), so it runs the same in the `nodejs` and `edge` runtimes.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @returns the handler to export as `POST`
 * @example
 * ```ts
 * // app/api/webhooks/together/route.ts
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { createRouteHandler } from '@x/together-webhooks-next';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * export const POST = createRouteHandler(webhooks);
 * ```
 */
export function createRouteHandler(webhooks: Webhooks): RouteHandler {
  return async (request) => {
    const result = await webhooks.handle(request);
    return Response.json(result.body, { status: result.status, headers: result.headers });
  };
}
