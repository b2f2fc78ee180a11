import { isTogetherEventType } from '@x/together-webhooks-core';
import { createTestEvent } from '@x/together-webhooks-core/testing';
import { describe, expect, it } from 'vitest';
import { memoryWatchState, pollTogetherJobs, progressEventId } from '../src/index.js';
import { errors, fakeApi, receiver, waitFor, watcher } from './helpers.js';

describe('fine-tune progress from the job’s events[] log', () => {
  it('checkpoint_save and epoch_complete entries become fine_tune.checkpoint_saved / fine_tune.epoch_completed, once each', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    api.create('fine_tune', { id: 'ft1', status: 'running' });
    const state = memoryWatchState();
    const poll = () => pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state, resources: ['fine_tune'] });
    await poll();
    api.logEvent('ft1', 'training_start');
    api.logEvent('ft1', 'checkpoint_save', { checkpoint_path: 's3://checkpoints/ft1/step-2' });
    api.logEvent('ft1', 'epoch_complete');
    const report = await poll();
    expect(report.announced).toBe(2);
    const progress = handled.filter((event) => event.type !== 'fine_tune.running');
    expect(progress.map((event) => [event.id, event.type])).toEqual([
      [progressEventId('ft1', 'checkpoint_save', 2), 'fine_tune.checkpoint_saved'],
      [progressEventId('ft1', 'epoch_complete', 3), 'fine_tune.epoch_completed'],
    ]);
    const saved = progress[0]!;
    if (saved.type !== 'fine_tune.checkpoint_saved') throw new Error('narrowing');
    // data: the job as GET /fine-tunes/{id} answered it, plus the entry that announced it.
    expect(saved.data).toMatchObject({ id: 'ft1', status: 'running', entry: { type: 'checkpoint_save', checkpoint_path: 's3://checkpoints/ft1/step-2' } });
    // Nothing new in the log (updated_at unchanged): one list request, no retrieve, nothing announced.
    expect(await poll()).toMatchObject({ requests: 1, announced: 0 });
  });

  it('a job first seen mid-training does not announce its old checkpoints', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    api.create('fine_tune', { id: 'ft-old', status: 'running', updated_at: new Date(Date.now() - 3 * 86_400_000).toISOString(), created_at: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    api.logEvent('ft-old', 'checkpoint_save');
    // logEvent moves updated_at to now: set it back, so the job is old.
    api.set('fine_tune', 'ft-old', 'running', { updated_at: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    const state = memoryWatchState();
    await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state, resources: ['fine_tune'] });
    expect(handled).toEqual([]);
  });
});

describe('model upload jobs (GET /jobs)', () => {
  it('Queued → Running → Complete announces model_upload.completed; a Failed job model_upload.failed', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    api.create('model_upload', { job_id: 'job-1' });
    api.create('model_upload', { job_id: 'job-other', type: 'something_else', status: 'Failed' });
    const watch = watcher(api, { deliver, resources: ['model_upload'] });
    await watch.start();
    await api.play('model_upload', 'job-1', [
      { afterMs: 100, state: 'Running', afterReads: 2 },
      { afterMs: 100, state: 'Complete', afterReads: 2 },
    ]);
    api.create('model_upload', { job_id: 'job-2', status: 'Failed' });
    await waitFor(() => handled.length === 2, 'two model upload events');
    expect(handled.map((event) => [event.id, event.type])).toEqual([
      ['model_upload:job-1:Complete', 'model_upload.completed'],
      ['model_upload:job-2:Failed', 'model_upload.failed'],
    ]);
    expect(handled[0]!.data).toMatchObject({ job_id: 'job-1', type: 'model_upload', status: 'Complete' });
  });
});

describe('a state Together added after this version', () => {
  it('emits nothing, is reported once through onError, and never stops the watcher', async () => {
    const api = await fakeApi();
    const { deliver, handled } = receiver();
    const seen = errors();
    api.create('batch', { id: 'b1', status: 'IN_PROGRESS' });
    const watch = watcher(api, { deliver, resources: ['batch'], onError: seen.onError });
    await watch.start();
    api.set('batch', 'b1', 'FINALIZING');
    await waitFor(() => api.requestCount('/v1/batches') >= 6, 'several polls');
    api.set('batch', 'b1', 'COMPLETED');
    await waitFor(() => handled.length === 2, 'batch.completed after the unknown state');
    expect(handled.map((event) => event.id)).toEqual(['batch:b1:IN_PROGRESS', 'batch:b1:COMPLETED']);
    expect(seen.list.map(([error, context]) => [context.phase, (error as Error).message])).toEqual([
      ['poll', 'batch b1 is in state "FINALIZING", which this version does not know: it announces nothing'],
    ]);
    expect(watch.running).toBe(true);
  });
});

describe('the core test kit knows the new types', () => {
  it.each([
    ['model_upload.completed', 'status', 'Complete'],
    ['model_upload.failed', 'status', 'Failed'],
    ['fine_tune.checkpoint_saved', 'status', 'running'],
    ['fine_tune.epoch_completed', 'status', 'running'],
  ] as const)('createTestEvent(%s): data.%s is %s', (type, field, value) => {
    expect(isTogetherEventType(type)).toBe(true);
    expect((createTestEvent(type).data as unknown as Record<string, unknown>)[field]).toBe(value);
  });

  it('progress events carry the entry that announced them', () => {
    expect(createTestEvent('fine_tune.checkpoint_saved').data.entry).toMatchObject({ type: 'checkpoint_save', checkpoint_path: expect.any(String) as unknown });
    expect(createTestEvent('fine_tune.epoch_completed').data.entry.type).toBe('epoch_complete');
  });
});
