import { memoryStore } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { transitionEventId } from '../src/index.js';
import { errors, fakeApi, receiver, sleep, waitFor, watcher } from './helpers.js';

// Scripted steps are several poll intervals (50 ms) apart so every state is seen by a poll.
const STEP = 250;

describe('job state changes become catalog events', () => {
  it('a fine-tune pending → queued → running → completed produces four events in order, each handled once', async () => {
    const api = await fakeApi();
    const { deliver, handled, ids } = receiver();
    const job = api.create('fine_tune');
    const id = String(job['id']);
    const watch = watcher(api, { deliver, resources: ['fine_tune'] });
    await watch.start();
    await api.play('fine_tune', id, [
      { afterMs: STEP, state: 'queued', afterReads: 2 },
      { afterMs: STEP, state: 'running', afterReads: 2 },
      { afterMs: STEP, state: 'completed', afterReads: 2 },
    ]);
    await waitFor(() => handled.length === 4, 'four events');
    await sleep(200);
    expect(ids()).toEqual(['pending', 'queued', 'running', 'completed'].map((state) => `fine_tune:${id}:${state}`));
    expect(handled.map((event) => event.type)).toEqual(['fine_tune.created', 'fine_tune.queued', 'fine_tune.running', 'fine_tune.completed']);
    const completed = handled[3]!;
    // `data` is the job as GET /fine-tunes/{id} answered it: the list's summary has no `events`.
    expect(completed.data).toMatchObject({ id, status: 'completed', model_output_name: job['model_output_name'] });
    expect((completed.data as { events?: unknown[] }).events?.length).toBe(4);
    expect(Number.isNaN(Date.parse(completed.created))).toBe(false);
  });

  it('intermediate states (compressing, uploading, cancel_requested) emit nothing', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const job = api.create('fine_tune', { status: 'running' });
    const watch = watcher(api, { deliver, resources: ['fine_tune'] });
    await watch.start();
    await api.play('fine_tune', String(job['id']), [
      { afterMs: STEP, state: 'compressing', afterReads: 2 },
      { afterMs: STEP, state: 'uploading', afterReads: 2 },
      { afterMs: STEP, state: 'cancel_requested', afterReads: 2 },
      { afterMs: STEP, state: 'cancelled', afterReads: 2 },
    ]);
    await waitFor(() => handled.length === 2, 'two events');
    await sleep(200);
    expect(handled.map((event) => event.type)).toEqual(['fine_tune.running', 'fine_tune.cancelled']);
  });

  it('a batch that fails produces batch.failed, with the API answer as data', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const job = api.create('batch');
    const id = String(job['id']);
    const watch = watcher(api, { deliver, resources: ['batch'] });
    await watch.start();
    await api.play('batch', id, [
      { afterMs: STEP, state: 'IN_PROGRESS', afterReads: 2 },
      { afterMs: STEP, state: 'FAILED', afterReads: 2 },
    ]);
    await waitFor(() => handled.some((event) => event.type === 'batch.failed'), 'batch.failed');
    expect(handled.map((event) => event.type)).toEqual(['batch.created', 'batch.in_progress', 'batch.failed']);
    expect(handled[2]).toMatchObject({ id: `batch:${id}:FAILED`, data: { id, status: 'FAILED', error: expect.any(String) as unknown } });
  });

  it('dedicated endpoints: started and stopped, data retrieved in full (the list omits hardware and autoscaling)', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const endpoint = api.create('endpoint');
    const id = String(endpoint['id']);
    const watch = watcher(api, { deliver, resources: ['endpoint'] });
    await watch.start();
    await api.play('endpoint', id, [
      { afterMs: STEP, state: 'STARTING', afterReads: 2 },
      { afterMs: STEP, state: 'STARTED', afterReads: 2 },
      { afterMs: STEP, state: 'STOPPING', afterReads: 2 },
      { afterMs: STEP, state: 'STOPPED', afterReads: 2 },
    ]);
    await waitFor(() => handled.length === 2, 'two endpoint events');
    expect(handled.map((event) => event.type)).toEqual(['endpoint.started', 'endpoint.stopped']);
    expect(handled[0]!.data).toMatchObject({ id, state: 'STARTED', hardware: endpoint['hardware'], autoscaling: endpoint['autoscaling'] });
  });

  it('evaluations: error and user_error are evaluation.failed, completed is evaluation.completed', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const ok = String(api.create('evaluation')['workflow_id']);
    const bad = String(api.create('evaluation')['workflow_id']);
    const watch = watcher(api, { deliver, resources: ['evaluation'] });
    await watch.start();
    await Promise.all([
      api.play('evaluation', ok, [{ afterMs: STEP, state: 'running', afterReads: 2 }, { afterMs: STEP, state: 'completed', afterReads: 2 }]),
      api.play('evaluation', bad, [{ afterMs: STEP, state: 'queued', afterReads: 2 }, { afterMs: STEP, state: 'user_error', afterReads: 2 }]),
    ]);
    await waitFor(() => handled.length === 2, 'two evaluation events');
    expect(Object.fromEntries(handled.map((event) => [event.id, event.type]))).toEqual({
      [`evaluation:${ok}:completed`]: 'evaluation.completed',
      [`evaluation:${bad}:user_error`]: 'evaluation.failed',
    });
  });

  it('a tracked video is retrieved by id until it completes, then dropped', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const id = String(api.create('video')['id']);
    const watch = watcher(api, { deliver, resources: [] });
    watch.track('video', id);
    await watch.start();
    await api.play('video', id, [{ afterMs: STEP, state: 'completed', afterReads: 2 }]);
    await waitFor(() => handled.length === 1, 'video.completed');
    expect(handled[0]).toMatchObject({ id: `video:${id}:completed`, type: 'video.completed', data: { outputs: { video_url: expect.any(String) as unknown } } });
    await sleep(150);
    const requests = api.requestCount('/v1/videos');
    await sleep(300);
    expect(api.requestCount('/v1/videos')).toBe(requests);
  });

  it('a tracked job that does not exist is reported and no longer polled', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    const seen = errors();
    const watch = watcher(api, { deliver, resources: [], onError: seen.onError });
    watch.track('batch', 'batch-missing');
    await watch.start();
    await sleep(300);
    expect(api.requestCount('/v1/batches/batch-missing')).toBe(1);
    expect(seen.list).toHaveLength(1);
    expect(seen.list[0]![1]).toMatchObject({ phase: 'poll', resource: 'batch', jobId: 'batch-missing' });
  });

  it('event ids are <resource>:<job id>:<state>', () => {
    expect(transitionEventId('evaluation', 'wf-1', 'user_error')).toBe('evaluation:wf-1:user_error');
  });
});

describe('lookback', () => {
  const hoursAgo = (hours: number): string => new Date(Date.now() - hours * 3600_000).toISOString();

  it('at start, jobs whose last change is older than lookbackMs are not announced; newer ones are', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    api.create('fine_tune', { id: 'ft-old', status: 'completed', created_at: hoursAgo(50), updated_at: hoursAgo(48) });
    api.create('fine_tune', { id: 'ft-recent', status: 'completed', created_at: hoursAgo(5), updated_at: hoursAgo(1) });
    api.create('batch', { id: 'batch-old', status: 'COMPLETED', created_at: hoursAgo(30), completed_at: hoursAgo(26) });
    api.create('batch', { id: 'batch-recent', status: 'FAILED', created_at: hoursAgo(30), completed_at: hoursAgo(2) });
    const watch = watcher(api, { deliver, resources: ['fine_tune', 'batch'] });
    await watch.start();
    await sleep(200);
    expect(handled.map((event) => event.id).sort()).toEqual(['batch:batch-recent:FAILED', 'fine_tune:ft-recent:completed']);
    // An old job that changes while watched is announced: the lookback only applies to what is found at start.
    api.set('batch', 'batch-old', 'CANCELLED');
    await waitFor(() => handled.length === 3, 'the old batch changing');
    expect(handled[2]!.id).toBe('batch:batch-old:CANCELLED');
  });

  it('a tracked job is announced whatever its age, also when its resource is listed', async () => {
    const api = await fakeApi();
    const { deliver, handled, outcomes } = receiver();
    api.create('batch', { id: 'batch-old', status: 'COMPLETED', created_at: hoursAgo(80), completed_at: hoursAgo(72) });
    api.create('batch', { id: 'batch-other', status: 'COMPLETED', created_at: hoursAgo(80), completed_at: hoursAgo(72) });
    api.create('batch', { id: 'batch-recent', status: 'COMPLETED', completed_at: hoursAgo(1) });
    const watch = watcher(api, { deliver, resources: ['batch'] });
    watch.track('batch', 'batch-old');
    watch.track('batch', 'batch-recent');
    await watch.start();
    expect(handled.map((event) => event.id)).toEqual(['batch:batch-old:COMPLETED', 'batch:batch-recent:COMPLETED']);
    // Seen in the list, so not retrieved again; final and delivered, so no longer tracked, and not new again.
    await sleep(200);
    expect(api.requestCount('/v1/batches/')).toBe(0);
    expect(outcomes).toEqual([
      ['batch:batch-old:COMPLETED', 'processed'],
      ['batch:batch-recent:COMPLETED', 'processed'],
    ]);
  });

  it('the lookback is measured with the `now` option', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    api.create('fine_tune', { id: 'ft-1', status: 'completed', updated_at: '2020-01-01T00:00:00.000Z' });
    const watch = watcher(api, { deliver, resources: ['fine_tune'], now: () => Date.parse('2020-01-01T12:00:00.000Z') });
    await watch.start();
    expect(handled.map((event) => event.id)).toEqual(['fine_tune:ft-1:completed']);
  });
});

describe('restarts and re-emission', () => {
  it('a restart in the middle re-emits the current state, and the store keeps handlers from running twice', async () => {
    const api = await fakeApi();
    const store = memoryStore();
    const { deliver, handled, outcomes } = receiver(store);
    const id = String(api.create('fine_tune')['id']);
    const first = watcher(api, { deliver, resources: ['fine_tune'] });
    await first.start();
    await api.play('fine_tune', id, [
      { afterMs: STEP, state: 'queued', afterReads: 2 },
      { afterMs: STEP, state: 'running', afterReads: 2 },
    ]);
    await waitFor(() => handled.length === 3, 'three events before the restart');
    await first.stop();

    const second = watcher(api, { deliver, resources: ['fine_tune'] });
    await second.start();
    expect(outcomes.at(-1)).toEqual([`fine_tune:${id}:running`, 'duplicate']);
    await api.play('fine_tune', id, [{ afterMs: STEP, state: 'completed', afterReads: 2 }]);
    await waitFor(() => handled.length === 4, 'the completion after the restart');
    await sleep(200);
    expect(handled.map((event) => event.id)).toEqual(['pending', 'queued', 'running', 'completed'].map((state) => `fine_tune:${id}:${state}`));

    // Stopping and starting the same watcher behaves the same way.
    await second.stop();
    await second.start();
    expect(outcomes.at(-1)).toEqual([`fine_tune:${id}:completed`, 'duplicate']);
    expect(handled).toHaveLength(4);
  });

  it('a handler that throws leaves the event pending; the next poll delivers it, once', async () => {
    const api = await fakeApi();
    const { deliver, handled, webhooks } = receiver();
    let failuresLeft = 2;
    webhooks.on('batch.completed', () => {
      if (failuresLeft-- > 0) throw new Error('downstream unavailable');
    });
    const seen = errors();
    api.create('batch', { id: 'b1', status: 'COMPLETED', completed_at: new Date().toISOString() });
    const watch = watcher(api, { deliver, resources: ['batch'], onError: seen.onError });
    await watch.start();
    await waitFor(() => handled.length === 1, 'the completion handled');
    expect(seen.list.map(([, context]) => context.phase)).toEqual(['deliver', 'deliver']);
    expect(seen.list[0]![1].event?.id).toBe('batch:b1:COMPLETED');
    await sleep(200);
    expect(handled).toHaveLength(1);
  });

  it('the events of one job stay in order while an earlier one is pending', async () => {
    const api = await fakeApi();
    const { deliver, handled, webhooks } = receiver();
    let failQueued = true;
    webhooks.on('fine_tune.queued', () => {
      if (failQueued) throw new Error('not yet');
    });
    const id = String(api.create('fine_tune')['id']);
    const watch = watcher(api, { deliver, resources: ['fine_tune'], onError: () => undefined });
    await watch.start();
    await api.play('fine_tune', id, [
      { afterMs: STEP, state: 'queued', afterReads: 2 },
      { afterMs: STEP, state: 'running', afterReads: 2 },
    ]);
    await sleep(STEP);
    expect(handled.map((event) => event.type)).toEqual(['fine_tune.created']);
    failQueued = false;
    await waitFor(() => handled.length === 3, 'queued then running');
    expect(handled.map((event) => event.type)).toEqual(['fine_tune.created', 'fine_tune.queued', 'fine_tune.running']);
  });
});
