/**
 * @module backoff — how long to wait: exponential backoff with jitter, `Retry-After`, and a sleep
 * that a stop can cut short.
 */

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform delay between 0
 * and `min(cap, base * 2^attempt)`, so clients that failed together do not retry together.
 * @internal
 */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * The poll interval after `failures` failed polls in a row: doubled each time up to `capMs`, then
 * stretched by up to `jitter` of itself so many watchers started together drift apart.
 * @internal
 */
export function pollDelay(
  intervalMs: number,
  failures: number,
  capMs: number,
  jitter: number,
  random: () => number = Math.random,
): number {
  const base = failures === 0 ? intervalMs : Math.min(capMs, intervalMs * 2 ** failures);
  return Math.round(base * (1 + jitter * random()));
}

/**
 * The wait a `Retry-After` header asks for (RFC 9110 10.2.3: delay-seconds or an HTTP date), in
 * milliseconds; `undefined` when absent or unreadable.
 * @internal
 */
export function retryAfterMs(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Every HTTP-date form opens with a day name; V8's lenient Date.parse would read "-1" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Waits `ms`, or less if `signal` aborts first. Never rejects.
 * @returns `true` when the full time passed, `false` when cut short
 * @internal
 */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
