/**
 * @module reader — the requests a poll makes to Together (`GET <path>` and `GET <path>/{id}`
 * through the official client), counted, bounded in time and in size, and checked for the shape
 * Together's OpenAPI description gives them: an answer that is not that shape is a one-line error,
 * never a crash further on.
 */
import type { Together } from 'together-ai';
import type { JobObject, ResourceKind } from './resources.js';

/** What a list answered: the objects that are this resource, and how many entries were not objects. @internal */
export interface ListedJobs {
  jobs: JobObject[];
  /** Entries that are not objects (a number, a string, `null`): skipped. */
  notObjects: number;
}

/** Reads one poll's worth of Together. @internal */
export interface TogetherReader {
  list(kind: ResourceKind): Promise<ListedJobs>;
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

/** Default bound of one answer's body (`maxResponseBytes`): far above a real page of Together's lists. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const isJson = (response: Response): boolean => {
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  return mediaType.includes('application/json') || mediaType.endsWith('+json');
};

/**
 * The body of `response`, read up to `maxBytes` and parsed as the client would (JSON when it says
 * so, else text): a larger body is refused, without reading the rest, rather than held in memory whole.
 */
async function boundedBody(response: Response, path: string, maxBytes: number): Promise<unknown> {
  const tooLarge = (): TogetherResponseError => new TogetherResponseError(`GET ${path} answered more than ${maxBytes} bytes (maxResponseBytes): not read`);
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  // fetch refuses to read the body of a 204.
  if (response.status === 204 || response.body === null) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stream = response.body.getReader();
  for (;;) {
    const { done, value } = await stream.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await stream.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  if (!isJson(response)) return text;
  if (size === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TogetherResponseError(`GET ${path} answered malformed JSON`, { cause: error });
  }
}

/** A reader over `client` whose requests end when `signal` aborts and whose answers are at most `maxBytes` long. @internal */
export function togetherReader(client: Together, timeoutMs: number, maxBytes: number, signal: AbortSignal): TogetherReader {
  let requests = 0;

  /**
   * One request with a signal of its own, linked to the watcher's: together-ai 0.52.0 adds an
   * abort listener to the signal it is given and never removes it, which on one long-lived signal
   * would pile up a listener per request for the life of the watcher.
   */
  const get = async (path: string, shownPath: string, query?: Readonly<Record<string, string>>, defaultBaseURL?: string): Promise<unknown> => {
    const own = new AbortController();
    const forward = (): void => own.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    requests += 1;
    try {
      // `defaultBaseURL` is what the client's own methods pass: used only when no baseURL was configured.
      const options = { signal: own.signal, timeout: timeoutMs, ...(query ? { query } : {}), ...(defaultBaseURL ? { defaultBaseURL } : {}) };
      // The raw answer (an error status still rejects with the client's APIError), read with a bound.
      return await boundedBody(await client.get<unknown>(path, options).asResponse(), shownPath, maxBytes);
    } finally {
      signal.removeEventListener('abort', forward);
    }
  };

  return {
    get requests() {
      return requests;
    },
    async list(kind) {
      const body = await get(kind.path, kind.path, kind.listQuery);
      const items = kind.listInData ? (isObject(body) ? body['data'] : undefined) : body;
      if (!Array.isArray(items)) {
        const expected = kind.listInData ? 'an object with a "data" array' : 'an array';
        throw new TogetherResponseError(`GET ${kind.path} answered ${describe(body)}, not ${expected}`);
      }
      const objects = items.filter(isObject);
      return { jobs: objects.filter((job) => kind.listFilter?.(job) ?? true), notObjects: items.length - objects.length };
    },
    async retrieve(kind, id) {
      const body = await get(`${kind.path}/${encodeURIComponent(id)}`, `${kind.path}/{id}`, undefined, kind.defaultBaseURL);
      if (!isObject(body)) throw new TogetherResponseError(`GET ${kind.path}/{id} answered ${describe(body)}, not an object`);
      // An answer about another job would be announced under this one's event id.
      const answered = body[kind.idField];
      if (answered !== id) throw new TogetherResponseError(`GET ${kind.path}/${id} answered the ${kind.idField} ${JSON.stringify(answered)}`);
      return body;
    },
  };
}
