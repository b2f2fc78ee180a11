import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileWatchState, memoryWatchState, pollTogetherJobs, type PollTogetherJobsOptions, type WatchState } from '../src/index.js';
import { errors, fakeApi, onCleanup, receiver, waitFor, watcher } from './helpers.js';
import type { FakeTogetherApi } from './fake-together-api.js';

const stateFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'poll-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'state.json');
};

const once = (api: FakeTogetherApi, options: Omit<PollTogetherJobsOptions, 'apiKey' | 'baseURL'>) =>
  pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, ...options });

describe('pollTogetherJobs', () => {
  // A state backend that silently stops answering (a dropped Redis connection) must not hang the poll.
  it.each([
    ['read', (inner: WatchState): WatchState => ({ read: () => new Promise(() => undefined), write: (s, v) => inner.write(s, v) }), /watch state's read\(\) did not answer within 200 ms \(timeoutMs\)/],
    ['write', (inner: WatchState): WatchState => ({ read: () => inner.read(), write: () => new Promise(() => undefined) }), /watch state's write\(\) did not answer within 200 ms \(timeoutMs\)/],
  ])('a state whose %s never answers fails the poll within timeoutMs, reported', async (_name, hang, message) => {
    const api = await fakeApi();
    const { deliver } = receiver();
    api.create('batch', { id: 'b1' });
    const seen = errors();
    const report = await once(api, { deliver, state: hang(memoryWatchState()), resources: ['batch'], timeoutMs: 200, onError: seen.onError });
    expect(report).toMatchObject({ failed: true, stateWritten: false });
    expect(seen.list.map(([error, context]) => [String(error), context.phase])).toEqual([[expect.stringMatching(message), 'state']]);
  });

  it('reports requests, announced, delivered and pending; a second poll with nothing changed writes nothing', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.create('batch', { id: 'b1' });
    api.create('fine_tune', { id: 'ft1', status: 'completed' });
    const state = memoryWatchState();
    const first = await once(api, { deliver, state, resources: ['fine_tune', 'batch'] });
    // Two lists, and the completed fine-tune retrieved in full before it is announced.
    expect(first).toMatchObject({ requests: 3, announced: 2, delivered: 2, pending: 0, stateWritten: true, failed: false });
    expect(ids().sort()).toEqual(['batch:b1:VALIDATING', 'fine_tune:ft1:completed']);
    const second = await once(api, { deliver, state, resources: ['fine_tune', 'batch'] });
    expect(second).toMatchObject({ requests: 2, announced: 0, delivered: 0, pending: 0, stateWritten: false });
  });

  it('with a durable state, a new invocation announces only what changed since the last one', async () => {
    const api = await fakeApi();
    const path = stateFile();
    const { deliver, ids } = receiver();
    api.create('batch', { id: 'old' });
    await once(api, { deliver, state: fileWatchState(path), resources: ['batch'] });
    api.create('batch', { id: 'new' });
    api.set('batch', 'old', 'IN_PROGRESS');
    // A fresh object over the same file: a new cron invocation, or a restart.
    const next = await once(api, { deliver, state: fileWatchState(path), resources: ['batch'] });
    expect(next.announced).toBe(2);
    expect(ids()).toEqual(['batch:old:VALIDATING', 'batch:old:IN_PROGRESS', 'batch:new:VALIDATING']);
  });

  it('events the receiver refused stay pending in the state and go out at the next invocation, in order', async () => {
    const api = await fakeApi();
    const path = stateFile();
    const { deliver, ids } = receiver();
    let refuse = true;
    const flaky = { ...deliver, dispatch: (event: Parameters<typeof deliver.dispatch>[0]) => (refuse ? Promise.resolve({ outcome: 'failed', status: 500 } as Awaited<ReturnType<typeof deliver.dispatch>>) : deliver.dispatch(event)) };
    api.create('batch', { id: 'b1' });
    const seen = errors();
    const refused = await once(api, { deliver: flaky, state: fileWatchState(path), resources: ['batch'], onError: seen.onError });
    api.set('batch', 'b1', 'COMPLETED');
    const stillRefused = await once(api, { deliver: flaky, state: fileWatchState(path), resources: ['batch'], onError: seen.onError });
    expect([refused.pending, stillRefused.pending]).toEqual([1, 2]);
    expect(seen.list.every(([, context]) => context.phase === 'deliver')).toBe(true);
    refuse = false;
    const resent = await once(api, { deliver: flaky, state: fileWatchState(path), resources: ['batch'] });
    expect(resent).toMatchObject({ announced: 0, delivered: 2, pending: 0 });
    expect(ids()).toEqual(['batch:b1:VALIDATING', 'batch:b1:COMPLETED']);
  });

  it('a poll its signal aborts reports cutShort and one line; a watcher stopped mid-poll tells nothing', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    api.fault({ delayMs: 5_000, path: '/v1/batches' });
    const seen = errors();
    const report = await once(api, { deliver, state: memoryWatchState(), resources: ['batch'], signal: AbortSignal.timeout(100), onError: seen.onError });
    expect(report).toMatchObject({ cutShort: true, failed: false, announced: 0 });
    expect(seen.list).toHaveLength(1);
    expect(String(seen.list[0]![0])).toMatch(/^Error: the poll was cut short \(.+\): what it did not reach is polled next time$/);
    expect(await once(api, { deliver, state: memoryWatchState(), resources: ['batch'] })).toMatchObject({ cutShort: false });

    const stopped = errors();
    api.fault({ delayMs: 5_000, path: '/v1/batches' });
    const watch = watcher(api, { deliver, resources: ['batch'], onError: stopped.onError });
    const first = watch.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await watch.stop();
    await first;
    expect(stopped.list).toEqual([]);
  });

  it('tracks jobs by id (videos) given in jobs', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    const video = api.create('video', { status: 'completed' });
    const report = await once(api, { deliver, state: memoryWatchState(), resources: [], jobs: [{ resource: 'video', id: String(video['id']) }] });
    expect(report).toMatchObject({ requests: 1, announced: 1, delivered: 1 });
    expect(ids()).toEqual([`video:${String(video['id'])}:completed`]);
  });

  it('a state that cannot be read announces nothing and reports phase state; it never rejects', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.create('batch');
    const broken: WatchState = { read: () => Promise.reject(new Error('redis is down')), write: () => Promise.reject(new Error('unreachable')) };
    const seen = errors();
    const report = await once(api, { deliver, state: broken, resources: ['batch'], onError: seen.onError });
    expect(report).toMatchObject({ requests: 0, announced: 0, failed: true, stateWritten: false });
    expect(seen.list.map(([error, context]) => [context.phase, (error as Error).message])).toEqual([['state', 'redis is down']]);
    expect(ids()).toEqual([]);
  });

  it.each([
    ['no state', {}, /state is required/],
    ['a state without write', { state: { read: () => Promise.resolve({ snapshot: { jobs: {}, pending: [] }, version: null }) } }, /state must be a WatchState/],
    ['a job of an unknown resource', { state: memoryWatchState(), jobs: [{ resource: 'model', id: 'x' }] }, /jobs must be an array/],
  ])('%s is a TypeError before any request', async (_case, options, message) => {
    const api = await fakeApi();
    const { deliver } = receiver();
    await expect(once(api, { deliver, ...(options as { state: WatchState }) })).rejects.toThrow(message);
    expect(api.requestCount()).toBe(0);
  });
});

describe('watchTogetherJobs with a durable state', () => {
  it('a restarted watcher announces only what changed while it was down', async () => {
    const api = await fakeApi();
    const path = stateFile();
    const { deliver, ids } = receiver();
    api.create('batch', { id: 'b1' });
    const first = watcher(api, { deliver, resources: ['batch'], state: fileWatchState(path) });
    await first.start();
    await first.stop();
    api.set('batch', 'b1', 'COMPLETED');
    api.create('batch', { id: 'b2' });
    const second = watcher(api, { deliver, resources: ['batch'], state: fileWatchState(path) });
    await second.start();
    await waitFor(() => ids().length === 3, 'three events');
    expect(ids()).toEqual(['batch:b1:VALIDATING', 'batch:b1:COMPLETED', 'batch:b2:VALIDATING']);
  });
});
