/**
 * @module results — the two answers a Node adapter decides before the core sees the delivery,
 * in exactly the shape `handle()` gives every other answer.
 */
import { WebhookVerificationError, type WebhookResult, type Webhooks } from '@x/together-webhooks-core';

// The core's JSON header; its result builders are internal, so the shape is mirrored here.
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The 413 answer for a body that is larger than `maxBodyBytes`, identical to the core's
 * `rejected` answer for `payload_too_large`.
 *
 * @param error - the `payload_too_large` error the reader threw
 * @returns the result to write back
 */
export function payloadTooLargeResult(error: WebhookVerificationError): WebhookResult {
  return {
    status: error.status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      // The rest of the body was never read: closing the connection stops the client sending it.
      connection: 'close',
    },
    body: { ok: false, outcome: 'rejected', error: error.code, message: error.message },
    outcome: 'rejected',
    error,
  };
}

/**
 * Reports a configuration mistake the adapter detected (through `onError`, phase `adapter`) and
 * returns the core's 500 `failed` answer: the sender retries, the developer reads the log.
 *
 * @param webhooks - the receiver whose `onError` hears about it
 * @param message - what is wrong and exactly how to fix it
 * @returns the result to write back
 */
export function misconfiguredResult(webhooks: Webhooks, message: string): WebhookResult {
  const error = new TypeError(message);
  webhooks.reportError(error, { phase: 'adapter', outcome: 'failed' });
  return {
    status: 500,
    headers: { 'content-type': JSON_CONTENT_TYPE },
    body: { ok: false, outcome: 'failed' },
    outcome: 'failed',
    error,
  };
}
