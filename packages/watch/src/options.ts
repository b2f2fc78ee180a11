/**
 * @module options — what `watchTogetherJobs` accepts, its defaults, and the checks that turn a
 * configuration mistake into a `TypeError` or `RangeError` naming the option, at construction.
 */
import { sign, togetherScheme, type EventRouter, type IdempotencyStore, type TogetherEvent, type WatchTelemetry } from '@x/together-webhooks-core';
import type { Together } from 'together-ai';
import type { HttpDeliveryOptions } from './http-delivery.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './reader.js';
import { LISTED_RESOURCES, type ListedResource, type TrackedResource } from './resources.js';
import type { PollReport } from './poll.js';
import type { WatchState } from './state.js';

/** Where an error reported to `onError` came from. */
export type WatchErrorPhase = 'poll' | 'deliver' | 'lease' | 'state';

/** What `onError` is told beside the error. */
export interface WatchErrorContext {
  phase: WatchErrorPhase;
  /** The resource being read (`poll`) or whose event was being delivered (`deliver`). */
  resource?: TrackedResource;
  /** The job concerned, when one is. */
  jobId?: string;
  /** The undelivered event (`deliver`): it stays pending and is offered again next poll. */
  event?: TogetherEvent;
}

/** Options of `watchTogetherJobs`. */
export interface WatchOptions {
  /**
   * Where events go: an event router in this process (`createEventRouter`, or a `createWebhooks`
   * receiver: handlers and idempotency store, no HTTP, no secret), or a webhook URL and its secret
   * (signed POSTs with retries, in either scheme).
   */
  deliver: EventRouter | HttpDeliveryOptions;
  /** Together API key. Default: `process.env.TOGETHER_API_KEY`. */
  apiKey?: string;
  /** Together API base URL. Default: `process.env.TOGETHER_BASE_URL`, else `https://api.together.ai/v1`. */
  baseURL?: string;
  /** A configured `together-ai` client to use instead of one built from `apiKey` and `baseURL`. */
  client?: Together;
  /**
   * What was announced and what is still to deliver, kept between polls (and restarts) in the
   * user's store: `fileWatchState(path)`, `redisWatchState`, `dynamoDbWatchState`,
   * `postgresWatchState`. Default: `memoryWatchState()`, forgotten at each start.
   */
  state?: WatchState;
  /** Resources listed on every poll (one request each). Default: all five. Videos are only tracked. */
  resources?: readonly ListedResource[];
  /** Time between polls in ms. Default 30 000. */
  intervalMs?: number;
  /** Each wait is stretched by a random fraction up to this, so instances drift apart. Default 0.1. */
  jitter?: number;
  /** Longest wait between polls while requests fail or are rate limited, in ms. Default 300 000. */
  maxBackoffMs?: number;
  /** At each start, jobs whose last change is older than this are not announced, in ms. Default 24 h. */
  lookbackMs?: number;
  /** Time allowed for one API request in ms (the client's `timeout`), and for each read and write of `state`. Default 30 000. */
  timeoutMs?: number;
  /**
   * Longest answer of Together read, in bytes: a larger body is refused (one line to `onError`)
   * without being read whole. Default 16 MiB, far above any page Together answers.
   */
  maxResponseBytes?: number;
  /**
   * Retries inside the `together-ai` client for one request (its `maxRetries`). Default 0: the
   * watcher's own backoff retries at the next poll, can be stopped, and caps `Retry-After`.
   */
  maxRetries?: number;
  /** Shared store for leader election: only the instance holding the lease polls. */
  store?: IdempotencyStore;
  /** The leader lease in ms: after the leader dies, another instance polls within this. Default 60 000. */
  leaseMs?: number;
  /** The store key of the leader lease. Default `together:watch:leader`. */
  leaderKey?: string;
  /** Told what each poll did (requests, announced, delivered, pending): a status line, a metric. Must not throw. */
  onPoll?: (report: PollReport) => void;
  /** Receives poll, delivery, state and lease errors. Must not throw (if it does, the error is ignored). */
  onError?: (error: unknown, context: WatchErrorContext) => void;
  /**
   * Traces and metrics of each poll: `openTelemetry()` from `@x/together-webhooks-otel` (the same
   * object the receiver takes). A span per poll, a PRODUCER span per forwarded event whose context
   * goes out as `traceparent`/`tracestate` headers (or, in process, is the router's parent), and
   * the polls' metrics.
   */
  telemetry?: WatchTelemetry;
  /** Current time in ms since the epoch (the lookback is measured with it); for tests. */
  now?: () => number;
}

/** The options with every default applied. @internal */
export interface ResolvedWatchOptions {
  state: WatchState | undefined;
  resources: readonly ListedResource[];
  intervalMs: number;
  jitter: number;
  maxBackoffMs: number;
  lookbackMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  store: IdempotencyStore | undefined;
  leaseMs: number;
  leaderKey: string;
  now: () => number;
  http: (Required<Omit<HttpDeliveryOptions, 'url'>> & { url: URL }) | undefined;
  router: EventRouter | undefined;
  telemetry: WatchTelemetry | undefined;
}

/** Default time between polls. */
export const DEFAULT_INTERVAL_MS = 30_000;
/** Default lookback at start. */
export const DEFAULT_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** Default store key of the leader lease. */
export const DEFAULT_LEADER_KEY = 'together:watch:leader';

function positive(value: number | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${name} must be a finite number`);
  if (value < min) throw new RangeError(`${name} must be at least ${min}`);
  return value;
}

function integer(value: number | undefined, name: string, fallback: number, min: number): number {
  const number = positive(value, name, fallback, min);
  if (!Number.isSafeInteger(number)) throw new TypeError(`${name} must be an integer`);
  return number;
}

function httpOptions(deliver: HttpDeliveryOptions): NonNullable<ResolvedWatchOptions['http']> {
  let url: URL;
  try {
    url = new URL(deliver.url);
  } catch {
    throw new TypeError('deliver.url must be an absolute http: or https: URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('deliver.url must be an http: or https: URL');
  const scheme = deliver.scheme ?? togetherScheme();
  // sign() applies the core's checks of the secrets (empty, surrounding whitespace, a malformed
  // whsec_ secret) and of the scheme now rather than at the first event.
  sign('', { secret: deliver.secret, scheme, id: 'check' });
  if (deliver.headers !== undefined && (typeof deliver.headers !== 'object' || deliver.headers === null)) {
    throw new TypeError('deliver.headers must be an object of header names to values');
  }
  return {
    url,
    secret: deliver.secret,
    scheme,
    maxAttempts: integer(deliver.maxAttempts, 'deliver.maxAttempts', 5, 1),
    baseDelayMs: positive(deliver.baseDelayMs, 'deliver.baseDelayMs', 500),
    maxDelayMs: positive(deliver.maxDelayMs, 'deliver.maxDelayMs', 30_000),
    timeoutMs: positive(deliver.timeoutMs, 'deliver.timeoutMs', 10_000),
    headers: deliver.headers ?? {},
  };
}

/** Validates `options` and applies the defaults. @internal */
export function resolveOptions(options: WatchOptions): ResolvedWatchOptions {
  if (typeof options !== 'object' || (options as unknown) === null) throw new TypeError('options must be an object with deliver');
  const deliver = options.deliver as Partial<EventRouter & HttpDeliveryOptions> | undefined;
  let router: EventRouter | undefined;
  let http: ResolvedWatchOptions['http'];
  if (typeof deliver?.dispatch === 'function') router = deliver as EventRouter;
  else if (deliver?.url !== undefined) http = httpOptions(deliver as HttpDeliveryOptions);
  else throw new TypeError('deliver must be an event router (createEventRouter or createWebhooks) or { url, secret }');

  const resources: readonly unknown[] = options.resources ?? LISTED_RESOURCES;
  if (!Array.isArray(resources)) throw new TypeError('resources must be an array');
  for (const resource of resources) {
    if (!LISTED_RESOURCES.some((listed) => listed === resource)) {
      throw new TypeError(`resources: "${String(resource)}" is not one of ${LISTED_RESOURCES.join(', ')} (videos are tracked, not listed)`);
    }
  }

  const store = options.store;
  if (store !== undefined) {
    for (const method of ['claim', 'renew', 'release'] as const) {
      if (typeof (store as Partial<IdempotencyStore>)[method] !== 'function') {
        throw new TypeError(`store must implement IdempotencyStore: ${method}() is missing`);
      }
    }
  }
  const leaderKey = options.leaderKey ?? DEFAULT_LEADER_KEY;
  if (typeof leaderKey !== 'string' || leaderKey.length === 0) throw new TypeError('leaderKey must be a non-empty string');
  const jitter = options.jitter ?? 0.1;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw new RangeError('jitter must be a number from 0 to 1');
  const intervalMs = positive(options.intervalMs, 'intervalMs', DEFAULT_INTERVAL_MS);

  const state = options.state;
  if (state !== undefined && (typeof state?.read !== 'function' || typeof state.write !== 'function')) {
    throw new TypeError('state must be a WatchState (read() and write()): memoryWatchState(), fileWatchState(path), ...');
  }

  const telemetry = options.telemetry;
  if (telemetry !== undefined && typeof (telemetry as Partial<WatchTelemetry> | null)?.startPoll !== 'function') {
    throw new TypeError('telemetry must be a WatchTelemetry (startPoll()): openTelemetry() from @x/together-webhooks-otel is one');
  }

  return {
    state,
    resources: [...new Set(resources as readonly ListedResource[])],
    intervalMs,
    jitter,
    maxBackoffMs: Math.max(intervalMs, positive(options.maxBackoffMs, 'maxBackoffMs', 300_000)),
    lookbackMs: positive(options.lookbackMs, 'lookbackMs', DEFAULT_LOOKBACK_MS, 0),
    // The client wants an integer timeout.
    timeoutMs: integer(options.timeoutMs, 'timeoutMs', 30_000, 1),
    maxResponseBytes: integer(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_MAX_RESPONSE_BYTES, 1),
    store,
    leaseMs: positive(options.leaseMs, 'leaseMs', 60_000, 3),
    leaderKey,
    now: options.now ?? Date.now,
    http,
    router,
    telemetry,
  };
}
