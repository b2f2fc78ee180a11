/**
 * @module plugin — `app.register(togetherWebhooks, { webhooks, path })`: one route, in a scope of
 * its own, whose content-type parser keeps the raw bytes; `handle()`; the answer out.
 */
import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { WebhookVerificationError, type WebhookResult, type Webhooks } from '@x/together-webhooks-core';
import { ClientAbortedError } from '@x/together-webhooks-node-http';

/** Options of {@link togetherWebhooks}, passed as `app.register(togetherWebhooks, options)`. */
export interface TogetherWebhooksOptions {
  /** The receiver from `createWebhooks()`, with its handlers. */
  webhooks: Webhooks;
  /** The route's path, such as `/webhooks/together` (under the registration's `prefix`, if any). */
  path: string;
  /**
   * Called with each result just before it is sent (logging, metrics, extra headers on `reply`).
   * It must not send the reply itself.
   */
  onResult?: (result: WebhookResult, request: FastifyRequest, reply: FastifyReply) => void;
}

const NOT_BYTES =
  'together-webhooks (fastify): request.body is not the raw bytes the content-type parser of this plugin ' +
  'kept (a preValidation or preHandler hook replaced it), so the bytes the signature covers are gone. ' +
  'Leave request.body of the webhook route as it is.';

/**
 * The Fastify plugin that answers signed deliveries of Together AI job events (from this project's
 * watcher or your own sender: Together sends none), in the receiver's scheme.
 *
 * It adds one `POST` route at `path`, in a scope of its own (the plugin is encapsulated, on purpose:
 * no `fastify-plugin`), where every content-type parser of the app is replaced by one that keeps
 * the body as raw bytes, so the rest of the app keeps Fastify's JSON parsing and the webhook route
 * never gets a parsed body. The route's `bodyLimit` is `webhooks.maxBodyBytes`; past it Fastify stops
 * reading (from `content-length`, or at the first chunk over the limit) and the answer is the core's
 * `413 payload_too_large` with `Connection: close`, not Fastify's own error body. A client that goes
 * away mid-body is reported through `onError` (a `ClientAbortedError`, phase `adapter`) and nothing
 * is written. Other errors on the route (a hook of the app that throws) go to the app's error handler.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { togetherWebhooks } from '@x/together-webhooks-fastify';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * const app = Fastify();
 * await app.register(togetherWebhooks, { webhooks, path: '/webhooks/together' });
 * await app.listen({ port: 3000 });
 * ```
 */
export const togetherWebhooks: FastifyPluginCallback<TogetherWebhooksOptions> = (scope, options, done) => {
  // A callback plugin reports a mistake through done(): a throw here would escape avvio uncaught.
  let valid: TogetherWebhooksOptions;
  try {
    valid = checked(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { webhooks, path, onResult } = valid;
  const send = (result: WebhookResult, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    onResult?.(result, request, reply);
    // Serialised here, and sent as text with its JSON content-type: no app serializer reshapes it.
    return reply.code(result.status).headers(result.headers).send(JSON.stringify(result.body));
  };

  // Only this scope: the app's other routes keep their parsers (Fastify encapsulates parsers per plugin).
  scope.removeAllContentTypeParsers();
  // '*' also takes a body sent without content-type; Fastify reads it, up to the route's bodyLimit.
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => {
    parsed(null, body);
  });
  scope.post(path, {
    bodyLimit: webhooks.maxBodyBytes,
    // Route-level, so it sees only this route's errors; a rethrow goes to the app's handler.
    errorHandler(error: FastifyError, request, reply): void {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        send(webhooks.resultForError(new WebhookVerificationError('payload_too_large')), request, reply);
        return;
      }
      // The request stream failed before its end: the client went away, and there is no one to answer.
      if (request.raw.readableAborted) {
        webhooks.reportError(new ClientAbortedError(), { phase: 'adapter', outcome: 'failed' });
        reply.hijack();
        return;
      }
      throw error;
    },
    handler: async (request, reply) => {
      // No body at all (no content-type, no content-length) leaves request.body undefined.
      const body = request.body ?? EMPTY;
      if (!(body instanceof Uint8Array)) return send(webhooks.resultForError(new TypeError(NOT_BYTES)), request, reply);
      return send(await webhooks.handle({ body, headers: request.headers }), request, reply);
    },
  });
  done();
};

const EMPTY = new Uint8Array(0);

// Shown in Fastify's plugin tree and error messages; the range is checked at registration. No
// skip-override symbol: the plugin stays encapsulated.
Object.assign(togetherWebhooks, {
  [Symbol.for('fastify.display-name')]: 'together-webhooks',
  [Symbol.for('plugin-meta')]: { name: 'together-webhooks', fastify: '4.x || 5.x' },
});

function checked(options: TogetherWebhooksOptions): TogetherWebhooksOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('together-webhooks (fastify): register the plugin with options: app.register(togetherWebhooks, { webhooks, path })');
  }
  if (typeof options.webhooks?.handle !== 'function') {
    throw new TypeError('together-webhooks (fastify): options.webhooks must be the receiver createWebhooks() returned');
  }
  if (typeof options.path !== 'string' || !options.path.startsWith('/')) {
    throw new TypeError("together-webhooks (fastify): options.path must be the route's path, starting with / (such as '/webhooks/together')");
  }
  if (options.onResult !== undefined && typeof options.onResult !== 'function') {
    throw new TypeError('together-webhooks (fastify): options.onResult must be a function');
  }
  return options;
}
