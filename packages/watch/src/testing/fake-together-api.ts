/**
 * @module testing/fake-together-api — a local stand-in for Together AI's job API: the documented
 * routes and response shapes, Bearer auth, scripted state changes over time, injectable faults
 * (errors, 429 with Retry-After, slow answers), and a log of every request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOGETHER_RESOURCE_NAMES } from '@x/together-webhooks-core';
import { testResourceFixtures, type AnyTestResourceFixture, type FixtureJob } from '@x/together-webhooks-core/testing';
import { resourceKinds, type ResourceKind, type TrackedResource } from '../resources.js';

/** The job kinds the fake serves: every resource the watcher reads. */
export type FakeResource = TrackedResource;

/** A job as the fake stores and serves it: the test kit's fixture job. */
export type FakeJob = FixtureJob;

/** Options of {@link startFakeTogetherApi}. */
export interface FakeTogetherApiOptions {
  /** The only key accepted as `Authorization: Bearer <key>`. Default `fake-together-key`. */
  apiKey?: string;
  /** Current time in ms, for the timestamps it writes. Default `Date.now`. */
  now?: () => number;
}

/** A fault applied to the next matching requests. */
export interface FakeFault {
  /** Answer this status (with a JSON error body) instead of the real answer; omit to only delay. */
  status?: number;
  /** `Retry-After` header value sent with `status`. */
  retryAfter?: string;
  /** Answer this body (with `status`, default 200) instead of the real answer: a malformed answer. */
  body?: string;
  /** The `content-type` sent with `body`. Default `application/json`. */
  contentType?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** How many requests it applies to. Default 1. */
  times?: number;
  /** Only requests whose path starts with this (for example `/v1/batches`). Default: every request. */
  path?: string;
}

/** One scripted change: `afterMs` after the previous step, the job moves to `state`. */
export interface FakeStep {
  afterMs: number;
  state: string;
  /** More fields to set with the state. */
  patch?: FakeJob;
  /**
   * And not before the job was read this many times since its previous change (by a list that
   * included it, or a retrieve), so a poller sees every state however slow it runs. A watcher
   * that retrieves a job on change (fine-tunes, endpoints) reads it twice per round that sees a
   * change; `2` suits every resource.
   */
  afterReads?: number;
}

/** One request the fake answered. */
export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  /** When it arrived, ms since the epoch (wall clock). */
  at: number;
}

/** A running fake. */
export interface FakeTogetherApi {
  /** The base URL to give the client, ending in `/v1`. */
  readonly baseURL: string;
  readonly apiKey: string;
  /** Every request answered, in order. */
  readonly requests: readonly FakeRequest[];
  /** Requests answered, all or those whose path starts with `pathPrefix`. */
  requestCount(pathPrefix?: string): number;
  /** Adds a job (defaults fill the fields its resource always has) and returns the stored object. */
  create(resource: FakeResource, job?: FakeJob): FakeJob;
  /** Moves a job to `state` now, with the side fields Together sets (updated_at, completed_at, ...). */
  set(resource: FakeResource, id: string, state: string, patch?: FakeJob): void;
  /**
   * Appends an entry of `type` (`checkpoint_save`, `epoch_complete`, ...) to a fine-tune's
   * `events[]` log and moves its `updated_at`, as Together does during training.
   */
  logEvent(id: string, type: string, fields?: FakeJob): FakeJob;
  /** Plays `steps` one after another; resolves after the last. */
  play(resource: FakeResource, id: string, steps: readonly FakeStep[]): Promise<void>;
  /** When (wall clock, ms) the job entered `state` most recently, if it did. */
  changedAt(resource: FakeResource, id: string, state: string): number | undefined;
  /** Applies `fault` to the next matching requests. */
  fault(fault: FakeFault): void;
  /** Stops the server and every scripted step. */
  close(): Promise<void>;
}

const without = (job: FakeJob, fields: readonly string[]): FakeJob =>
  Object.fromEntries(Object.entries(job).filter(([field]) => !fields.includes(field)));

const pick = (job: FakeJob, fields: readonly string[]): FakeJob =>
  Object.fromEntries(Object.entries(job).filter(([field]) => fields.includes(field)));

// The routes, envelopes and list summaries are the watcher's own table (`resources.ts`): the fake
// serves what the watcher is written to read, and the OpenAPI tests check both against Together.
const collectionOf = (kind: ResourceKind): string => kind.path.slice(1);
const summaryOf = (kind: ResourceKind, job: FakeJob): FakeJob =>
  kind.listKeeps ? pick(job, kind.listKeeps) : kind.listOmits ? without(job, kind.listOmits) : job;

// Where Together's OpenAPI file says uuid, a counting uuid, readable in test output; other ids
// are `<collection>-fake-<n>`.
const fakeId = (kind: ResourceKind, serial: number): string =>
  kind.uuidIds ? `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}` : `${collectionOf(kind)}-fake-${serial}`;

const fixtureOf = (resource: FakeResource): AnyTestResourceFixture => testResourceFixtures[resource];

/**
 * Starts the fake on `127.0.0.1` on a free port.
 *
 * @param options - the accepted API key and the clock
 * @returns the running fake; `close()` it when done
 * @example
 * ```ts
 * import { startFakeTogetherApi } from '@x/together-webhooks-watch/testing';
 *
 * const api = await startFakeTogetherApi();
 * const job = api.create('fine_tune');
 * void api.play('fine_tune', String(job.id), [{ afterMs: 100, state: 'queued' }, { afterMs: 100, state: 'completed' }]);
 * const watcher = watchTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver: webhooks, intervalMs: 50 });
 * ```
 */
export async function startFakeTogetherApi(options: FakeTogetherApiOptions = {}): Promise<FakeTogetherApi> {
  const apiKey = options.apiKey ?? 'fake-together-key';
  const now = options.now ?? Date.now;
  const jobs = new Map<FakeResource, Map<string, FakeJob>>(TOGETHER_RESOURCE_NAMES.map((resource) => [resource, new Map()]));
  const changes = new Map<string, number>();
  const reads = new Map<string, number>();
  const requests: FakeRequest[] = [];
  const faults: (FakeFault & { times: number })[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let serial = 0;

  const iso = (ms: number): string => new Date(ms).toISOString();
  // Cleared by close(), which leaves a play in progress pending for good.
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const read = (resource: FakeResource, id: unknown): void => {
    const key = `${resource}:${String(id)}`;
    reads.set(key, (reads.get(key) ?? 0) + 1);
  };
  const store = (resource: FakeResource): Map<string, FakeJob> => jobs.get(resource)!;

  // A new job: the core test kit's sample of the resource in its first state (the same shapes
  // users' tests get), with fake ids, the fake's clock and what the fixture sets on a
  // job it creates.
  const defaults = (resource: FakeResource, id: string, at: number): FakeJob => {
    const kind = resourceKinds[resource];
    const initial = kind.states[0]!;
    const fixture = fixtureOf(resource);
    // A plain copy: a fake's job is a bag of fields it sets one by one.
    const sample: FakeJob = { ...fixture.sample(initial, at) };
    // Videos give times in Unix seconds, the others in ISO 8601: the sample says which.
    const created = typeof sample['created_at'] === 'number' ? Math.floor(at / 1000) : iso(at);
    // What a job has only once it ran is left out of a new one.
    const fresh = without(sample, ['completed_at', 'error', 'error_file_id', 'output_file_id', 'outputs', 'started_at', 'wandb_url']);
    const job: FakeJob = { ...fresh, [kind.idField]: id, [kind.stateField]: initial, created_at: created };
    if ('updated_at' in sample) job['updated_at'] = iso(at);
    return fixture.created?.(job, at) ?? job;
  };

  const api: FakeTogetherApi = {
    baseURL: '',
    apiKey,
    requests,
    requestCount(pathPrefix) {
      return pathPrefix === undefined ? requests.length : requests.filter((request) => request.path.startsWith(pathPrefix)).length;
    },
    create(resource, job = {}) {
      const kind = resourceKinds[resource];
      const at = now();
      const id = typeof job[kind.idField] === 'string' ? (job[kind.idField] as string) : fakeId(kind, ++serial);
      const stored = { ...defaults(resource, id, at), ...job };
      store(resource).set(id, stored);
      changes.set(`${resource}:${id}:${String(stored[kind.stateField])}`, Date.now());
      return stored;
    },
    set(resource, id, state, patch = {}) {
      const kind = resourceKinds[resource];
      const job = store(resource).get(id);
      if (!job) throw new Error(`fake Together API: no ${resource} ${id}`);
      Object.assign(job, fixtureOf(resource).changed(job, state, now()), { [kind.stateField]: state }, patch);
      changes.set(`${resource}:${id}:${state}`, Date.now());
      reads.set(`${resource}:${id}`, 0);
    },
    logEvent(id, type, fields = {}) {
      const job = store('fine_tune').get(id);
      if (!job) throw new Error(`fake Together API: no fine_tune ${id}`);
      const at = iso(now());
      const events = Array.isArray(job['events']) ? (job['events'] as unknown[]) : [];
      const entry = testResourceFixtures.fine_tune.logEntry(type, `${type} at step ${events.length}`, at, { step: events.length, ...fields });
      Object.assign(job, { updated_at: at, events: [...events, entry] });
      reads.set(`fine_tune:${id}`, 0);
      return entry;
    },
    async play(resource, id, steps) {
      for (const step of steps) {
        await wait(step.afterMs);
        while ((reads.get(`${resource}:${id}`) ?? 0) < (step.afterReads ?? 0)) await wait(5);
        api.set(resource, id, step.state, step.patch);
      }
    },
    changedAt(resource, id, state) {
      return changes.get(`${resource}:${id}:${state}`);
    },
    fault(fault) {
      faults.push({ ...fault, times: fault.times ?? 1 });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const answer = (req: IncomingMessage, res: ServerResponse, url: URL): number => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      send(res, 401, { error: { message: 'Invalid API key provided', type: 'invalid_request_error' } });
      return 401;
    }
    const match = /^\/v1\/([a-z-]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const resource = match ? TOGETHER_RESOURCE_NAMES.find((candidate) => collectionOf(resourceKinds[candidate]) === match[1]) : undefined;
    if (!match || resource === undefined || req.method !== 'GET') {
      send(res, 404, { error: { message: `no route ${req.method ?? ''} ${url.pathname}` } });
      return 404;
    }
    const kind = resourceKinds[resource];
    const id = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    if (id === undefined) {
      if (!kind.listable) {
        send(res, 404, { error: { message: `no route GET ${url.pathname}` } });
        return 404;
      }
      let items = [...store(resource).values()];
      for (const [name, value] of url.searchParams) items = items.filter((item) => item[name] === value);
      for (const item of items) read(resource, item[kind.idField]);
      const summaries = items.map((item) => structuredClone(summaryOf(kind, item)));
      send(res, 200, kind.listInData ? { object: 'list', data: summaries } : summaries);
      return 200;
    }
    const job = store(resource).get(id);
    if (!job) {
      send(res, 404, { error: { message: `${resource} ${id} not found` } });
      return 404;
    }
    read(resource, id);
    send(res, 200, job);
    return 200;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const at = Date.now();
    const index = faults.findIndex((fault) => fault.path === undefined || url.pathname.startsWith(fault.path));
    const fault = index === -1 ? undefined : faults[index]!;
    if (fault && --fault.times === 0) faults.splice(index, 1);
    const respond = (): void => {
      if (res.destroyed) return;
      let status: number;
      if (fault?.body !== undefined) {
        status = fault.status ?? 200;
        res.writeHead(status, { 'content-type': fault.contentType ?? 'application/json' });
        res.end(fault.body);
      } else if (fault?.status !== undefined) {
        status = fault.status;
        send(res, status, { error: { message: `injected ${status}` } }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      } else {
        status = answer(req, res, url);
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, status, at });
    };
    if (fault?.delayMs === undefined) {
      respond();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond();
    }, fault.delayMs);
    timers.add(timer);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  Object.assign(api, { baseURL: `http://127.0.0.1:${port}/v1` });
  return api;
}
