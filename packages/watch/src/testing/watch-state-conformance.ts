/**
 * @module testing/watch-state-conformance — proves a `WatchState` keeps its contract: reads and
 * compare-and-set writes on their own, then real polls (`pollTogetherJobs` against the fake
 * Together API) that overlap, conflict and fail to deliver. No test framework: one call inside
 * whatever runner the user has.
 */
import type { EventRouter, TogetherEvent, WebhookResult } from '@x/together-webhooks-core';
import { pollTogetherJobs } from '../poll-together-jobs.js';
import type { PollReport } from '../poll.js';
import type { ListedResource } from '../resources.js';
import type { WatchSnapshot, WatchState } from '../state.js';
import { startFakeTogetherApi, type FakeTogetherApi } from './fake-together-api.js';

/** Options of {@link runWatchStateConformance}. */
export interface WatchStateConformanceOptions {
  /** Concurrent writes at one version. Default 10. */
  concurrency?: number;
  /** Prefix of every location name the kit asks for. Default `watch-conformance:<random>:`. */
  keyPrefix?: string;
  /** Called with every state `makeState` returned, once the checks are over: close connections here. */
  dispose?: (state: WatchState) => unknown;
}

/** One check's outcome. */
export interface WatchStateConformanceCheck {
  name: string;
  passed: boolean;
  /** Why it failed. */
  failure?: string;
  durationMs: number;
}

/** What the kit found. */
export interface WatchStateConformanceReport {
  passed: boolean;
  checks: WatchStateConformanceCheck[];
}

/** Rejection of {@link runWatchStateConformance}: names every failed check; the report is attached. */
export class WatchStateConformanceError extends Error {
  override readonly name = 'WatchStateConformanceError';
  constructor(readonly report: WatchStateConformanceReport) {
    const failed = report.checks.filter((check) => !check.passed);
    super(
      `the watch state broke its contract in ${failed.length} check(s):\n` + failed.map((check) => `- ${check.name}: ${check.failure ?? 'failed'}`).join('\n'),
    );
  }
}

/** The names of the checks, in the report's order. */
export const watchStateConformanceChecks = Object.freeze([
  'a state never written reads empty, at no version',
  'a write at no version creates it, and a read answers it with the version written',
  'a write at a stale version is refused and changes nothing',
  'a write at no version is refused once the state exists',
  'concurrent writes at one version: exactly one is written',
  'overlapping polls lose no announcement and store each once (both may deliver it, under one id)',
  'a poll whose write conflicts re-reads, merges, and keeps the other poll’s changes',
  'undelivered events survive to the next poll and are resent',
  'a poll with nothing changed makes one list request and writes nothing',
] as const);

/** The name of one check of {@link runWatchStateConformance}. */
export type WatchStateConformanceCheckName = (typeof watchStateConformanceChecks)[number];

class CheckFailure extends Error {}

function expect(condition: boolean, failure: string): asserts condition {
  if (!condition) throw new CheckFailure(failure);
}

const snapshotOf = (label: string): WatchSnapshot => ({ jobs: { [`batch:${label}`]: { state: 'IN_PROGRESS' } }, pending: [] });
const text = (value: unknown): string => JSON.stringify(value);

/** A receiver that counts what it is given; `refuse` makes it answer `failed`, `gate` holds it. */
interface CountingReceiver {
  router: EventRouter;
  counts: Map<string, number>;
  refuse: boolean;
  gate: Promise<void> | undefined;
  /** Deliveries that reached the receiver, held by `gate` or not. */
  arrived: number;
}

function countingReceiver(): CountingReceiver {
  const receiver: CountingReceiver = { router: undefined as unknown as EventRouter, counts: new Map(), refuse: false, gate: undefined, arrived: 0 };
  // Only `dispatch` is called by a watcher; the rest of a router is not needed here.
  receiver.router = {
    async dispatch(event: TogetherEvent): Promise<WebhookResult> {
      receiver.arrived += 1;
      await receiver.gate;
      if (receiver.refuse) return { outcome: 'failed', status: 500 } as WebhookResult;
      receiver.counts.set(event.id, (receiver.counts.get(event.id) ?? 0) + 1);
      return { outcome: 'processed', status: 200 } as WebhookResult;
    },
  } as unknown as EventRouter;
  return receiver;
}

/**
 * Checks a {@link WatchState} against its contract: an empty start, compare-and-set writes
 * (stale and racing writes refused), and polls of the fake Together API sharing the state — two
 * at once, one whose write conflicts, one whose receiver refuses — that must neither lose an
 * announcement nor store it twice. (Two polls that overlap may both deliver a change both saw,
 * always under one event id, which the receiver's idempotency store runs once.) The names of the checks are {@link watchStateConformanceChecks}.
 *
 * @param makeState - returns a state over the location named `key`; asked twice for one key, it
 * must reach the same stored state (a new client where the backend has them, as two processes
 * would); each check uses keys never written before
 * @param options - concurrency, key prefix, and `dispose` to close what `makeState` opened
 * @returns the report, when every check passed
 * @throws {@link WatchStateConformanceError} naming each failed check, when any failed
 * @example
 * ```ts
 * import { runWatchStateConformance } from '@x/together-webhooks-watch/testing';
 *
 * test('my watch state keeps the contract', async () => {
 *   await runWatchStateConformance((key) => myWatchState({ client, key }));
 * }, 30_000);
 * ```
 */
export async function runWatchStateConformance(
  makeState: (key: string) => WatchState | Promise<WatchState>,
  options: WatchStateConformanceOptions = {},
): Promise<WatchStateConformanceReport> {
  if (typeof makeState !== 'function') throw new TypeError('makeState must be a function returning a WatchState');
  const concurrency = options.concurrency ?? 10;
  const prefix = options.keyPrefix ?? `watch-conformance:${Math.random().toString(36).slice(2)}:`;
  const made: WatchState[] = [];
  const newState = async (key: string): Promise<WatchState> => {
    const state = await makeState(prefix + key);
    made.push(state);
    return state;
  };
  // Each check polls a fake Together API of its own, so no check sees another's jobs.
  let api: FakeTogetherApi = await startFakeTogetherApi();
  const poll = (state: WatchState, receiver: CountingReceiver, resources: readonly ListedResource[] = ['batch']): Promise<PollReport> =>
    pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver: receiver.router, state, resources, onError: () => undefined });

  const checks: Record<WatchStateConformanceCheckName, () => Promise<void>> = {
    async 'a state never written reads empty, at no version'() {
      const read = await (await newState('empty')).read();
      expect(read.version === null, `version ${text(read.version)}, expected null`);
      expect(text(read.snapshot) === text({ jobs: {}, pending: [] }), `snapshot ${text(read.snapshot)}, expected { jobs: {}, pending: [] }`);
    },
    async 'a write at no version creates it, and a read answers it with the version written'() {
      const state = await newState('create');
      const written = await state.write(snapshotOf('a'), null);
      expect(written.written, 'the first write at no version was refused');
      const read = await (await newState('create')).read();
      expect(read.version === written.version, `read version ${text(read.version)}, written ${text(written.version)}`);
      expect(text(read.snapshot) === text(snapshotOf('a')), `read ${text(read.snapshot)}`);
    },
    async 'a write at a stale version is refused and changes nothing'() {
      const state = await newState('stale');
      const first = await state.write(snapshotOf('a'), null);
      expect(first.written, 'the first write was refused');
      const second = await state.write(snapshotOf('b'), first.version);
      expect(second.written, 'a write at the current version was refused');
      const stale = await state.write(snapshotOf('c'), first.version);
      expect(!stale.written, 'a write at a stale version was written');
      const read = await state.read();
      expect(text(read.snapshot) === text(snapshotOf('b')) && read.version === second.version, `after the stale write: ${text(read)}`);
    },
    async 'a write at no version is refused once the state exists'() {
      const state = await newState('exists');
      expect((await state.write(snapshotOf('a'), null)).written, 'the first write was refused');
      expect(!(await (await newState('exists')).write(snapshotOf('b'), null)).written, 'a second write at no version was written');
    },
    async 'concurrent writes at one version: exactly one is written'() {
      const states = await Promise.all(Array.from({ length: concurrency }, () => newState('race')));
      const base = await states[0]!.write(snapshotOf('base'), null);
      expect(base.written, 'the first write was refused');
      const results = await Promise.all(states.map((state, index) => state.write(snapshotOf(`w${index}`), base.version)));
      const winners = results.flatMap((result, index) => (result.written ? [index] : []));
      expect(winners.length === 1, `${concurrency} writes at one version: ${winners.length} written`);
      const read = await states[1]!.read();
      expect(text(read.snapshot) === text(snapshotOf(`w${winners[0]!}`)), `stored ${text(read.snapshot)}, not the winner's`);
    },
    async 'overlapping polls lose no announcement and store each once (both may deliver it, under one id)'() {
      const [a, b] = [await newState('overlap'), await newState('overlap')];
      const receiver = countingReceiver();
      const ids = Array.from({ length: 5 }, (_, index) => String(api.create('batch', { id: `overlap-${index}` })['id']));
      // Each poll also lists a resource the other does not: a write that is not compare-and-set loses the other's job.
      const onlyA = String(api.create('evaluation', { workflow_id: 'overlap-a', status: 'completed' })['workflow_id']);
      const onlyB = String(api.create('model_upload', { job_id: 'overlap-b', status: 'Complete' })['job_id']);
      let release: () => void = () => undefined;
      receiver.gate = new Promise((resolve) => (release = resolve));
      const polls = [poll(a, receiver, ['batch', 'evaluation']), poll(b, receiver, ['batch', 'model_upload'])];
      // Both polls deliver one at a time: two held deliveries mean both read the state before either writes.
      for (let waited = 0; receiver.arrived < 2 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(receiver.arrived >= 2, `the polls did not overlap: ${receiver.arrived} deliveries reached the receiver`);
      release();
      await Promise.all(polls);
      receiver.gate = undefined;
      for (const id of ids) api.set('batch', id, 'COMPLETED');
      await Promise.all([poll(a, receiver), poll(b, receiver)]);
      const once = [`evaluation:${onlyA}:completed`, `model_upload:${onlyB}:Complete`];
      const both = ids.flatMap((id) => [`batch:${id}:VALIDATING`, `batch:${id}:COMPLETED`]);
      const lost = [...once, ...both].filter((id) => !receiver.counts.has(id));
      expect(lost.length === 0, `never delivered: ${lost.join(', ')}`);
      const doubled = once.filter((id) => receiver.counts.get(id) !== 1);
      expect(doubled.length === 0, `seen by one poll, delivered more than once: ${doubled.map((id) => `${id} ×${receiver.counts.get(id)}`).join(', ')}`);
      const tripled = both.filter((id) => receiver.counts.get(id)! > 2);
      expect(tripled.length === 0, `delivered more often than polls saw it: ${tripled.map((id) => `${id} ×${receiver.counts.get(id)}`).join(', ')}`);
      const read = await a.read();
      expect(read.snapshot.pending.length === 0, `left pending: ${read.snapshot.pending.map((entry) => entry.event.id).join(', ')}`);
      for (const id of ids) expect(read.snapshot.jobs[`batch:${id}`]?.state === 'COMPLETED', `batch ${id} is ${text(read.snapshot.jobs[`batch:${id}`])} in the state`);
      const delivered = [...receiver.counts.values()].reduce((sum, count) => sum + count, 0);
      const after = await poll(b, receiver, ['batch', 'evaluation', 'model_upload']);
      const again = [...receiver.counts.values()].reduce((sum, count) => sum + count, 0) - delivered;
      expect(after.announced === 0 && again === 0, `a later poll announced ${after.announced} and delivered ${again} again`);
    },
    async 'a poll whose write conflicts re-reads, merges, and keeps the other poll’s changes'() {
      const [a, b] = [await newState('conflict'), await newState('conflict')];
      const held = countingReceiver();
      const free = countingReceiver();
      const x = String(api.create('batch', { id: 'conflict-x' })['id']);
      await poll(a, free, ['batch', 'evaluation']);
      let release: () => void = () => undefined;
      held.gate = new Promise((resolve) => (release = resolve));
      api.set('batch', x, 'IN_PROGRESS');
      const z = String(api.create('evaluation', { workflow_id: 'conflict-z', status: 'completed' })['workflow_id']);
      // A reads, then waits in its delivery while B (batches only) reads, sees more, delivers and writes.
      const slow = poll(a, held, ['batch', 'evaluation']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const y = String(api.create('batch', { id: 'conflict-y' })['id']);
      const fast = await poll(b, free);
      expect(fast.stateWritten, 'the poll that was not held wrote nothing');
      release();
      const slowReport = await slow;
      expect(slowReport.stateWritten, 'the held poll did not write its own change after the conflict');
      const read = await b.read();
      const jobs = read.snapshot.jobs;
      expect(jobs[`batch:${x}`]?.state === 'IN_PROGRESS', `x (seen by both) is ${text(jobs[`batch:${x}`])}`);
      expect(jobs[`batch:${y}`]?.state === 'VALIDATING', `y (seen by the other poll) is ${text(jobs[`batch:${y}`])}`);
      expect(jobs[`evaluation:${z}`]?.state === 'completed', `z (seen by the held poll) is ${text(jobs[`evaluation:${z}`])}`);
      expect(read.snapshot.pending.length === 0, `left pending: ${read.snapshot.pending.map((entry) => entry.event.id).join(', ')}`);
      expect(free.counts.has(`batch:${y}:VALIDATING`) && held.counts.has(`evaluation:${z}:completed`), 'an announcement was not delivered');
      const after = await poll(a, free, ['batch', 'evaluation']);
      expect(after.announced === 0, `a later poll announced ${after.announced} again`);
    },
    async 'undelivered events survive to the next poll and are resent'() {
      const state = await newState('pending');
      const receiver = countingReceiver();
      const id = String(api.create('batch', { id: 'pending' })['id']);
      receiver.refuse = true;
      const refused = await poll(state, receiver);
      expect(refused.pending >= 1, `after a refused delivery ${refused.pending} pending`);
      const stored = await (await newState('pending')).read();
      expect(stored.snapshot.pending.some((entry) => entry.event.id === `batch:${id}:VALIDATING`), 'the refused event is not pending in the state');
      receiver.refuse = false;
      const resent = await poll(await newState('pending'), receiver);
      expect(receiver.counts.get(`batch:${id}:VALIDATING`) === 1, `the pending event was delivered ${receiver.counts.get(`batch:${id}:VALIDATING`) ?? 0} times`);
      expect(resent.announced === 0 && resent.pending === 0, `the resending poll: ${text(resent)}`);
    },
    async 'a poll with nothing changed makes one list request and writes nothing'() {
      const state = await newState('quiet');
      const receiver = countingReceiver();
      await poll(state, receiver);
      const quiet = await poll(state, receiver);
      expect(quiet.requests === 1, `${quiet.requests} requests`);
      expect(!quiet.stateWritten, 'the state was written');
    },
  };

  const report: WatchStateConformanceReport = { passed: true, checks: [] };
  try {
    for (const name of watchStateConformanceChecks) {
      const started = Date.now();
      await api.close();
      api = await startFakeTogetherApi();
      try {
        await checks[name]();
        report.checks.push({ name, passed: true, durationMs: Date.now() - started });
      } catch (error) {
        report.passed = false;
        const failure = error instanceof CheckFailure ? error.message : `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        report.checks.push({ name, passed: false, failure, durationMs: Date.now() - started });
      }
    }
  } finally {
    await api.close();
    for (const state of made) await options.dispose?.(state);
  }
  if (!report.passed) throw new WatchStateConformanceError(report);
  return report;
}
