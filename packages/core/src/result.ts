/**
 * @module result — what `handle()` answers for each outcome: the one place statuses, headers and
 * response bodies are decided, so every adapter writes back the same thing.
 */
import type { WebhookVerificationError, WebhookVerificationErrorCode } from './errors.js';
import type { TogetherEvent } from './events.js';

/** How a delivery ended. */
export type WebhookOutcome =
  | 'processed'
  | 'unhandled'
  | 'duplicate'
  | 'in_progress'
  | 'rejected'
  | 'failed'
  | 'store_unavailable'
  | 'queued'
  | 'queue_unavailable';

/** The JSON body of every answer: no stack, no secret, no handler message ever. */
export interface WebhookResponseBody {
  ok: boolean;
  outcome: WebhookOutcome;
  /** The event id, once the delivery was verified. */
  id?: string;
  /** The rejection code, for `rejected`. */
  error?: WebhookVerificationErrorCode;
  /** What the sender (or the developer) should do, for `rejected`. */
  message?: string;
}

/** What `handle()` and `dispatch()` return; an adapter writes `status`, `headers` and `body` back unchanged. */
export interface WebhookResult {
  status: number;
  headers: Record<string, string>;
  body: WebhookResponseBody;
  outcome: WebhookOutcome;
  /** The verified event, when verification succeeded. */
  event?: TogetherEvent;
  /** The verification error (for `rejected`) or the error that made the outcome. */
  error?: unknown;
}

const statusOf: Readonly<Record<Exclude<WebhookOutcome, 'rejected'>, number>> = {
  processed: 200,
  unhandled: 200,
  duplicate: 200,
  in_progress: 409,
  failed: 500,
  store_unavailable: 503,
  queued: 202,
  queue_unavailable: 503,
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

/** Seconds to wait before a retry when the store is down: long enough to let it come back. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** The answer for an outcome reached after verification. @internal */
export function resultFor(
  outcome: Exclude<WebhookOutcome, 'rejected'>,
  event: TogetherEvent | undefined,
  extra: { retryAfterMs?: number; error?: unknown } = {},
): WebhookResult {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (extra.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(extra.retryAfterMs / 1000)));
  const body: WebhookResponseBody = { ok: statusOf[outcome] < 300, outcome };
  if (event) body.id = event.id;
  const result: WebhookResult = { status: statusOf[outcome], headers, body, outcome };
  if (event) result.event = event;
  if (extra.error !== undefined) result.error = extra.error;
  return result;
}

// The rest of an oversized body is never read: closing the connection stops the client sending
// it, and keeps the unread bytes from being taken for the next request on a kept-alive socket.
const TOO_LARGE_HEADERS = { 'content-type': 'application/json; charset=utf-8', connection: 'close' } as const;

/** The answer for a delivery that failed verification. @internal */
export function rejectedResult(error: WebhookVerificationError): WebhookResult {
  return {
    status: error.status,
    headers: { ...(error.code === 'payload_too_large' ? TOO_LARGE_HEADERS : JSON_HEADERS) },
    body: { ok: false, outcome: 'rejected', error: error.code, message: error.message },
    outcome: 'rejected',
    error,
  };
}
