/**
 * @module results — the two answers a Node adapter decides before the core sees the delivery,
 * built by the core (`webhooks.resultForError`) so they have the shape of every other answer.
 */
import type { WebhookResult, WebhookVerificationError, Webhooks } from '@x/together-webhooks-core';

/**
 * The 413 answer for a body that is larger than `maxBodyBytes`.
 *
 * @param webhooks - the receiver
 * @param error - the `payload_too_large` error the reader threw
 * @returns the result to write back
 */
export function payloadTooLargeResult(webhooks: Webhooks, error: WebhookVerificationError): WebhookResult {
  const result = webhooks.resultForError(error);
  // The rest of the body was never read: closing the connection stops the client sending it.
  return { ...result, headers: { ...result.headers, connection: 'close' } };
}

/**
 * Reports a configuration mistake the adapter detected (through `onError`, phase `adapter`) and
 * returns the 500 `failed` answer: the sender retries, the developer reads the log.
 *
 * @param webhooks - the receiver whose `onError` hears about it
 * @param message - what is wrong and exactly how to fix it
 * @returns the result to write back
 */
export function misconfiguredResult(webhooks: Webhooks, message: string): WebhookResult {
  return webhooks.resultForError(new TypeError(message));
}
