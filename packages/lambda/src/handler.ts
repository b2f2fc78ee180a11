/**
 * @module handler — `createLambdaHandler(webhooks)`: pick the event's source, `handle()` the
 * delivery, answer in that source's shape.
 */
import type { Webhooks } from '@x/together-webhooks-core';
import type { LambdaEvent, LambdaResult, LambdaResultFor } from './events.js';
import { alb, httpApi, restApi, type EventSource } from './sources.js';

/** A Lambda handler for any of the HTTP event sources; the result has the event's source's shape. */
export type LambdaHandler = <E extends LambdaEvent>(event: E) => Promise<LambdaResultFor<E>>;

async function answer<E extends LambdaEvent, R extends LambdaResult>(
  webhooks: Webhooks,
  source: EventSource<E, R>,
  event: E,
): Promise<R> {
  const result = await webhooks.handle(source.toInput(event));
  return source.toResult(result, event);
}

/**
 * Creates the Lambda handler. It recognises API Gateway REST API (payload format 1.0), HTTP API
 * (2.0), ALB (with or without multi-value headers) and Function URL events by their
 * `requestContext`, decodes base64 bodies to their exact bytes, merges repeated headers, and
 * answers in the shape the event's source expects.
 *
 * @param webhooks - the receiver from `createWebhooks()`, with its handlers
 * @returns the handler to export
 * @throws (from the returned handler) a `TypeError` for an event that is not an HTTP request from
 *   one of these sources, also reported to `onError` (phase `adapter`)
 * @example
 * ```ts
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { createLambdaHandler } from '@x/together-webhooks-lambda';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: myDurableStore });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * export const handler = createLambdaHandler(webhooks);
 * ```
 */
export function createLambdaHandler(webhooks: Webhooks): LambdaHandler {
  const handler = async (event: LambdaEvent): Promise<LambdaResult> => {
    // ALB first: its requestContext holds nothing else. Then payload format 2.0, then 1.0.
    if (alb.matches(event)) return answer(webhooks, alb, event);
    if (httpApi.matches(event)) return answer(webhooks, httpApi, event);
    if (restApi.matches(event)) return answer(webhooks, restApi, event);
    const error = new TypeError(
      'together-webhooks (lambda): the event is not an HTTP request from API Gateway (REST or HTTP API), ' +
        'an Application Load Balancer or a Function URL: invoke this handler only through one of them',
    );
    webhooks.reportError(error, { phase: 'adapter', outcome: 'failed' });
    throw error;
  };
  return handler as LambdaHandler;
}
