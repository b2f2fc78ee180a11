/**
 * @module api-handler — Pages Router: `export default createApiHandler(webhooks)` with
 * `export const config = { api: { bodyParser: false } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Webhooks } from '@x/together-webhooks-core';
import { nodeAdapterResult, writeResult } from '@x/together-webhooks-node-http';

/** The part of a `NextApiRequest` the handler uses. */
export type ApiRequest = IncomingMessage & { body?: unknown };

/** A Pages Router API route. */
export type ApiHandler = (req: ApiRequest, res: ServerResponse) => Promise<void>;

const BODY_PARSER_FIX =
  "together-webhooks (next): Next.js's body parser already parsed req.body, so the raw bytes the " +
  'signature covers are gone and every delivery would fail verification. Turn it off for this API ' +
  'route: export const config = { api: { bodyParser: false } };';

/**
 * Creates a Pages Router API route. Next.js's body parser must be off for the route (`export
 * const config = { api: { bodyParser: false } }`): the handler reads the raw stream itself, up
 * to `maxBodyBytes` (413 past it). Left on, the parsed body gives a 500 and an `onError` report
 * naming that setting. A client that goes away mid-body is reported through `onError` (a
 * `ClientAbortedError`, phase `adapter`) and the handler resolves without writing anything.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @returns the handler to export as the route's default
 * @example
 * ```ts
 * // pages/api/webhooks/together.ts
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { createApiHandler } from '@x/together-webhooks-next';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * export const config = { api: { bodyParser: false } };
 * export default createApiHandler(webhooks);
 * ```
 */
export function createApiHandler(webhooks: Webhooks): ApiHandler {
  return async (req, res) => {
    const result = await nodeAdapterResult(webhooks, req, req.body, BODY_PARSER_FIX);
    // The client went away mid-body: already reported, and there is no one to answer.
    if (result !== undefined) writeResult(res, result);
  };
}
