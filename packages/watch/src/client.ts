/**
 * @module client — the official `together-ai` client the watcher reads Together with.
 */
import { Together } from 'together-ai';
import type { WatchOptions } from './options.js';

/**
 * The client of `options.client`, or one built from `apiKey` / `TOGETHER_API_KEY` and `baseURL` /
 * `TOGETHER_BASE_URL`. @internal
 */
export function togetherClient(options: WatchOptions): Together {
  if (options.client !== undefined) {
    // Duck-typed: the app's copy of together-ai may be another installation than this package's.
    if (typeof (options.client as Partial<Together> | null)?.fineTuning !== 'object') {
      throw new TypeError('client must be a Together client from together-ai');
    }
    return options.client;
  }
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const apiKey = options.apiKey ?? env['TOGETHER_API_KEY'];
  if (typeof apiKey !== 'string' || apiKey.trim().length === 0) {
    throw new TypeError('apiKey is required: pass apiKey, or set TOGETHER_API_KEY in the environment');
  }
  const maxRetries = options.maxRetries ?? 0;
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) throw new RangeError('maxRetries must be a non-negative integer');
  // Without baseURL the client reads TOGETHER_BASE_URL itself, then falls back to its default.
  return new Together({ apiKey, maxRetries, ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }) });
}
