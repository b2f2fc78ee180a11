/**
 * @module http-delivery — forwarding events as signed webhook deliveries: the body signed with the
 * core's `sign()`, POSTed with retries (exponential backoff, full jitter, `Retry-After`).
 */
import { sign, type TogetherEvent, type TraceCarrier, type WebhookScheme } from '@x/together-webhooks-core';
import { fullJitter, retryAfterMs, sleep } from './backoff.js';
import { WatchDeliveryError, type Delivery } from './delivery.js';

/** Where and how to POST events: the `deliver` option for a receiver behind HTTP. */
export interface HttpDeliveryOptions {
  /** The receiver's webhook URL (`http:` or `https:`). */
  url: string | URL;
  /**
   * The secret the receiver verifies with; or several during a rotation window: each event is then
   * signed with all of them, so a receiver configured with either verifies.
   */
  secret: string | readonly string[];
  /**
   * How deliveries are signed: `togetherScheme()` (the default: this project's own `x-together-*`
   * headers) or `standardWebhooksScheme()` (verifiable by the official Standard Webhooks libraries).
   */
  scheme?: WebhookScheme;
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

// Of an answer that is not 2xx, only this much is read: the pipeline's JSON answer is far smaller.
const ANSWER_LIMIT_BYTES = 4096;
// What an `outcome` or `error` code looks like (`rejected`, `signature_mismatch`): anything else
// the receiver put there (text, a secret, a signature) is never copied into an error message.
const CODE = /^[a-z]+(?:_[a-z]+){0,4}$/;
const code = (value: unknown, secrets: readonly string[]): string | undefined =>
  typeof value === 'string' && value.length <= 40 && CODE.test(value) && !secrets.some((secret) => value.includes(secret)) ? value : undefined;

/**
 * What the receiver said about a refused delivery, from the pipeline's JSON answer
 * `{ ok, outcome, error?, message? }`: `"rejected (signature_mismatch)"`, `"store_unavailable"`, or
 * `""` when the answer is not that shape. Reads at most {@link ANSWER_LIMIT_BYTES}, never throws.
 */
async function answerSummary(response: Response, secrets: readonly string[]): Promise<string> {
  const text = await boundedText(response, ANSWER_LIMIT_BYTES);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return '';
  }
  if (typeof answer !== 'object' || answer === null) return '';
  const outcome = code((answer as Record<string, unknown>)['outcome'], secrets);
  const error = code((answer as Record<string, unknown>)['error'], secrets);
  return [outcome, error === undefined ? undefined : `(${error})`].filter((part) => part !== undefined).join(' ');
}

// The body as text if it is at most `limit` bytes, else ''; the rest of a longer one is not downloaded.
async function boundedText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) return '';
      chunks.push(value);
    }
  } catch {
    return '';
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** A POSTing, signing, retrying {@link Delivery}; options already validated. @internal */
export function httpDelivery(options: Required<Omit<HttpDeliveryOptions, 'url'>> & { url: URL }): Delivery {
  const { url, secret, scheme, maxAttempts, baseDelayMs, maxDelayMs, timeoutMs, headers } = options;
  const secrets: readonly string[] = typeof secret === 'string' ? [secret] : secret;
  return {
    async send(event: TogetherEvent, signal: AbortSignal, traceContext?: TraceCarrier) {
      // The scheme's body: the envelope itself, or Standard Webhooks' { type, timestamp, data }.
      const body = scheme.encode(event);
      let lastError: unknown;
      let lastStatus: number | undefined;
      let lastAnswer = '';
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
          const signature = sign(body, { secret, scheme, id: event.id });
          const response = await fetch(url, {
            method: 'POST',
            body,
            // The trace fields after the user's headers (this send's context is the current one), and
            // nothing after the signature's.
            headers: { ...headers, ...traceContext, 'content-type': 'application/json', ...signature },
            signal: attempt.signal,
          });
          if (response.ok) {
            await response.arrayBuffer().catch(() => undefined);
            return { delivered: true };
          }
          lastStatus = response.status;
          const summary = await answerSummary(response, secrets);
          lastAnswer = summary === '' ? `${response.status}` : `${response.status} ${summary}`;
          lastError = new Error(`the receiver answered ${lastAnswer}`);
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
      const reason = lastStatus === undefined ? 'could not reach it' : `last answer ${lastAnswer}`;
      const error = new WatchDeliveryError(
        `delivery of ${event.id} to ${url.origin}${url.pathname} failed after ${attempts} attempt(s) (${reason}); it is offered again next poll`,
        { eventId: event.id, attempts, ...(lastStatus === undefined ? {} : { status: lastStatus }), cause: lastError },
      );
      return { delivered: false, error, receiverDown: true };
    },
  };
}
