/**
 * @module results — the answer a Node adapter decides itself, a configuration mistake, built by
 * the core (`webhooks.resultForError`) so it has the shape of every other answer.
 */
import type { WebhookResult, Webhooks } from '@x/together-webhooks-core';

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
