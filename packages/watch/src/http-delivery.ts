/**
 * @module http-delivery — forwarding events as signed webhook deliveries: the body signed with the
 * core's `sign()`, POSTed with retries (exponential backoff, full jitter, `Retry-After`).
 */
import { sign, type TogetherEvent } from '@x/together-webhooks-core';
import { fullJitter, retryAfterMs, sleep } from './backoff.js';
import { WatchDeliveryError, type Delivery } from './delivery.js';

/** Where and how to POST events: the `deliver` option for a receiver behind HTTP. */
export interface HttpDeliveryOptions {
  /** The receiver's webhook URL (`http:` or `https:`). */
  url: string | URL;
  /** The secret the receiver verifies with. */
  secret: string;
  /** Attempts per event per poll before it waits for the next poll. Default 5. */
  maxAttempts?: number;
  /** First backoff step in ms; each retry waits up to twice as long as the one before. Default 500. */
  baseDelayMs?: number;
  /** Longest wait between attempts in ms, `Retry-After` included. Default 30 000. */
  maxDelayMs?: number;
  /** Time allowed for one attempt in ms. Default 10 000. */
  timeoutMs?: number;
  /** Extra request headers (an authorization a gateway in front of the receiver wants, for example). */
  headers?: Record<string, string>;
}

// Statuses after which the same request may succeed later (RFC 9110; 409 is the pipeline's in_progress).
const retryable = (status: number): boolean => status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;

/** A POSTing, signing, retrying {@link Delivery}; options already validated. @internal */
export function httpDelivery(options: Required<Omit<HttpDeliveryOptions, 'url'>> & { url: URL }): Delivery {
  const { url, secret, maxAttempts, baseDelayMs, maxDelayMs, timeoutMs, headers } = options;
  return {
    async send(event: TogetherEvent, signal: AbortSignal) {
      const body = JSON.stringify(event);
      let lastError: unknown;
      let lastStatus: number | undefined;
      let attempts = 0;
      while (attempts < maxAttempts && !signal.aborted) {
        attempts += 1;
        let wait: number | undefined;
        let again = true;
        const attempt = new AbortController();
        const onStop = (): void => attempt.abort(signal.reason);
        signal.addEventListener('abort', onStop, { once: true });
        const timer = setTimeout(() => attempt.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        try {
          // Signed at each attempt: a retry minutes later must still fall in the receiver's replay window.
          const signature = sign(body, { secret });
          const response = await fetch(url, {
            method: 'POST',
            body,
            headers: { ...headers, 'content-type': 'application/json', ...signature },
            signal: attempt.signal,
          });
          await response.arrayBuffer().catch(() => undefined);
          if (response.ok) return { delivered: true };
          lastStatus = response.status;
          lastError = new Error(`the receiver answered ${response.status}`);
          again = retryable(response.status);
          wait = retryAfterMs(response.headers.get('retry-after'));
        } catch (error) {
          lastError = attempt.signal.aborted && !signal.aborted ? attempt.signal.reason : error;
          lastStatus = undefined;
        } finally {
          clearTimeout(timer);
          signal.removeEventListener('abort', onStop);
        }
        if (!again || attempts >= maxAttempts) break;
        const delay = Math.min(maxDelayMs, Math.max(fullJitter(attempts - 1, baseDelayMs, maxDelayMs), wait ?? 0));
        if (!(await sleep(delay, signal))) break;
      }
      const reason = lastStatus === undefined ? 'could not reach it' : `last answer ${lastStatus}`;
      const error = new WatchDeliveryError(
        `delivery of ${event.id} to ${url.origin}${url.pathname} failed after ${attempts} attempt(s) (${reason}); it is offered again next poll`,
        { eventId: event.id, attempts, ...(lastStatus === undefined ? {} : { status: lastStatus }), cause: lastError },
      );
      return { delivered: false, error, receiverDown: true };
    },
  };
}
