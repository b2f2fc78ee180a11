import { createWebhooks } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { watchTogetherJobs, type WatchOptions } from '../src/index.js';

const webhooks = createWebhooks({ secret: 'whsec_test' });
const base: WatchOptions = { apiKey: 'key', baseURL: 'http://127.0.0.1:9/v1', deliver: webhooks };

describe('configuration mistakes fail at construction, naming the option', () => {
  it.each<[string, Record<string, unknown>, ErrorConstructor, RegExp]>([
    ['no deliver', { deliver: undefined }, TypeError, /deliver must be/],
    ['deliver neither receiver nor URL', { deliver: {} }, TypeError, /deliver must be/],
    ['relative URL', { deliver: { url: '/hooks', secret: 's' } }, TypeError, /deliver\.url/],
    ['ftp URL', { deliver: { url: 'ftp://example.invalid/', secret: 's' } }, TypeError, /deliver\.url/],
    ['empty secret', { deliver: { url: 'http://127.0.0.1:9/', secret: '' } }, TypeError, /secret/],
    ['secret with a newline', { deliver: { url: 'http://127.0.0.1:9/', secret: 'whsec_x\n' } }, TypeError, /secret/],
    ['zero attempts', { deliver: { url: 'http://127.0.0.1:9/', secret: 's', maxAttempts: 0 } }, RangeError, /deliver\.maxAttempts/],
    ['unknown resource', { resources: ['video'] }, TypeError, /resources: "video"/],
    ['resources not an array', { resources: 'batch' }, TypeError, /resources must be an array/],
    ['interval zero', { intervalMs: 0 }, RangeError, /intervalMs/],
    ['interval NaN', { intervalMs: Number.NaN }, TypeError, /intervalMs/],
    ['jitter above 1', { jitter: 2 }, RangeError, /jitter/],
    ['fractional timeout', { timeoutMs: 1.5 }, TypeError, /timeoutMs/],
    ['negative retries', { maxRetries: -1 }, RangeError, /maxRetries/],
    ['zero maxResponseBytes', { maxResponseBytes: 0 }, RangeError, /maxResponseBytes/],
    ['empty leader key', { leaderKey: '' }, TypeError, /leaderKey/],
    ['store without claim', { store: {} }, TypeError, /claim\(\) is missing/],
    ['not a client', { client: {} }, TypeError, /Together client/],
  ])('%s', (_, override, kind, message) => {
    const options: WatchOptions = { ...base, ...override };
    expect(() => watchTogetherJobs(options)).toThrow(kind);
    expect(() => watchTogetherJobs(options)).toThrow(message);
  });

  it('the API key comes from the option or TOGETHER_API_KEY', () => {
    const saved = process.env['TOGETHER_API_KEY'];
    delete process.env['TOGETHER_API_KEY'];
    try {
      expect(() => watchTogetherJobs({ deliver: webhooks })).toThrow(/TOGETHER_API_KEY/);
      process.env['TOGETHER_API_KEY'] = 'from-env';
      expect(watchTogetherJobs({ deliver: webhooks }).running).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['TOGETHER_API_KEY'];
      else process.env['TOGETHER_API_KEY'] = saved;
    }
  });

  it('track() refuses an unknown resource or an empty id', () => {
    const watch = watchTogetherJobs(base);
    expect(() => watch.track('model' as 'video', 'x')).toThrow(TypeError);
    expect(() => watch.track('video', '')).toThrow(TypeError);
  });
});
