/**
 * @module reader — the requests a poll makes to Together (`GET <path>` and `GET <path>/{id}`
 * through the official client), counted, bounded in time, and checked for the shape Together's
 * OpenAPI description gives them: an answer that is not that shape is a one-line error, never a
 * crash further on.
 */
import type { Together } from 'together-ai';
import type { JobObject, ResourceKind } from './resources.js';

/** Reads one poll's worth of Together. @internal */
export interface TogetherReader {
  list(kind: ResourceKind): Promise<JobObject[]>;
  retrieve(kind: ResourceKind, id: string): Promise<JobObject>;
  /** Requests sent so far. */
  readonly requests: number;
}

/** An answer of Together that is not what its API description says. */
export class TogetherResponseError extends Error {
  override readonly name = 'TogetherResponseError';
}

const isObject = (value: unknown): value is JobObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return /^\s*</.test(value) ? 'an HTML page' : 'text';
  return typeof value === 'object' ? 'an object' : typeof value;
};

/** A reader over `client` whose requests end when `signal` aborts. @internal */
export function togetherReader(client: Together, timeoutMs: number, signal: AbortSignal): TogetherReader {
  let requests = 0;

  /**
   * One request with a signal of its own, linked to the watcher's: together-ai 0.52.0 adds an
   * abort listener to the signal it is given and never removes it, which on one long-lived signal
   * would pile up a listener per request for the life of the watcher.
   */
  const get = async (path: string, query?: Readonly<Record<string, string>>, defaultBaseURL?: string): Promise<unknown> => {
    const own = new AbortController();
    const forward = (): void => own.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    requests += 1;
    try {
      // `defaultBaseURL` is what the client's own methods pass: used only when no baseURL was configured.
      const options = { signal: own.signal, timeout: timeoutMs, ...(query ? { query } : {}), ...(defaultBaseURL ? { defaultBaseURL } : {}) };
      return await client.get<unknown>(path, options);
    } finally {
      signal.removeEventListener('abort', forward);
    }
  };

  return {
    get requests() {
      return requests;
    },
    async list(kind) {
      const body = await get(kind.path, kind.listQuery);
      const items = kind.listInData ? (isObject(body) ? body['data'] : undefined) : body;
      if (!Array.isArray(items)) {
        const expected = kind.listInData ? 'an object with a "data" array' : 'an array';
        throw new TogetherResponseError(`GET ${kind.path} answered ${describe(body)}, not ${expected}`);
      }
      // Entries that are not objects are skipped, like entries without an id or a state.
      return items.filter(isObject).filter((job) => kind.listFilter?.(job) ?? true);
    },
    async retrieve(kind, id) {
      const body = await get(`${kind.path}/${encodeURIComponent(id)}`, undefined, kind.defaultBaseURL);
      if (!isObject(body)) throw new TogetherResponseError(`GET ${kind.path}/{id} answered ${describe(body)}, not an object`);
      // An answer about another job would be announced under this one's event id.
      const answered = body[kind.idField];
      if (answered !== id) throw new TogetherResponseError(`GET ${kind.path}/${id} answered the ${kind.idField} ${JSON.stringify(answered)}`);
      return body;
    },
  };
}
