/**
 * @module node-request — the one funnel of the Node adapters: find the raw bytes of a request
 * (its stream, or what a body parser kept), then `handle()` them.
 */
import type { IncomingMessage } from 'node:http';
import { WebhookVerificationError, type WebhookResult, type Webhooks } from '@x/together-webhooks-core';
import { ClientAbortedError } from './client-aborted.js';
import { readRawBody } from './read-body.js';
import { misconfiguredResult } from './results.js';

/** A Node request, as Express, Koa and Next.js's Pages Router hand it over. */
export type NodeRequest = IncomingMessage;

/**
 * Handles one delivery that arrived as a Node request. A client that went away mid-body is not
 * the app's error: it is reported through `onError` (a {@link ClientAbortedError}, phase
 * `adapter`, outcome `failed`) and the promise resolves `undefined`, so the adapter writes nothing
 * to the socket that is gone and raises nothing to the framework (no error handler runs, no stack
 * is printed).
 *
 * @param webhooks - the receiver
 * @param req - the request; its headers are Node's `IncomingHttpHeaders`, already a `HeadersLike`
 * @param parserBody - what a body parser that ran before left (`req.body`, Koa's `rawBody`), if any:
 *   bytes or text are the body as received; anything else means the raw bytes are gone
 * @param fix - the message reported when a parser consumed the body: how to fix the route
 * @returns the answer to write back, or `undefined` when there is no one to answer; never
 *   rejects for anything a sender sends
 */
export function nodeAdapterResult(
  webhooks: Webhooks,
  req: NodeRequest,
  parserBody: unknown,
  fix: string,
): Promise<WebhookResult | undefined> {
  // A Buffer (express.raw) or a string (express.text, Koa's rawBody) is the body as received.
  if (parserBody instanceof Uint8Array || typeof parserBody === 'string') {
    return webhooks.handle({ body: parserBody, headers: req.headers });
  }
  if (isConsumed(req)) return Promise.resolve(misconfiguredResult(webhooks, fix));
  // One step from the body to the answer: this runs for every delivery.
  return readRawBody(req, webhooks.maxBodyBytes).then(
    (body) => webhooks.handle({ body, headers: req.headers }),
    (error: unknown) => {
      // The core's 413 answer carries `connection: close`: the rest of the body is never read.
      if (error instanceof WebhookVerificationError) return webhooks.resultForError(error);
      if (!(error instanceof ClientAbortedError)) throw error;
      webhooks.reportError(error, { phase: 'adapter', outcome: 'failed' });
      return undefined;
    },
  );
}

// Something read the stream to its end before us (the test on-finished and body-parser use).
function isConsumed(req: NodeRequest): boolean {
  return req.readableEnded || (req.complete && !req.readable);
}
