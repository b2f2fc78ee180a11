import { describe, expect, it } from 'vitest';
import { fullJitter, pollDelay, retryAfterMs, sleep } from '../src/backoff.js';

describe('backoff', () => {
  it.each([
    [0, 0, 0],
    [0, 0.999, 99],
    [3, 0.5, 400],
    [10, 0.999, 4995],
  ])('full jitter: attempt %i, random %f → %i ms (base 100, cap 5000)', (attempt, random, expected) => {
    expect(fullJitter(attempt, 100, 5_000, () => random)).toBe(expected);
  });

  it.each([
    [0, 0, 1_000],
    [1, 0, 2_000],
    [3, 0, 8_000],
    [9, 0, 60_000],
    [0, 1, 1_100],
    [9, 1, 66_000],
  ])('poll delay after %i failures, random %f → %i ms (interval 1 s, cap 60 s, jitter 0.1)', (failures, random, expected) => {
    expect(pollDelay(1_000, failures, 60_000, 0.1, () => random)).toBe(expected);
  });

  it.each([
    ['2', 2_000],
    ['0.5', 500],
    [' 3 ', 3_000],
    ['Thu, 01 Jan 1970 00:00:10 GMT', 10_000],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
    ['-1', undefined],
  ])('Retry-After %j → %j ms', (value, expected) => {
    expect(retryAfterMs(value, 0)).toBe(expected);
  });

  it('sleep ends early, without rejecting, when its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort();
    expect(await slept).toBe(false);
    expect(Date.now() - started).toBeLessThan(100);
    expect(await sleep(1, new AbortController().signal)).toBe(true);
  });
});
