import { describe, expect, it } from 'vitest';
import type { EventRouter, TogetherEvent, WebhookResult } from '@x/together-webhooks-core';
import { createScheduledWatchHandler, memoryWatchState } from '../src/index.js';
import { errors, fakeApi, receiver } from './helpers.js';

describe('createScheduledWatchHandler', () => {
  it('each invocation is one poll: it answers the report, and a second invocation announces nothing new', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.create('batch', { id: 'b1' });
    const handler = createScheduledWatchHandler({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state: memoryWatchState(), resources: ['batch'] });
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toMatchObject({ requests: 1, announced: 1, delivered: 1 });
    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toMatchObject({ requests: 1, announced: 0, stateWritten: false });
    expect(ids()).toEqual(['batch:b1:VALIDATING']);
  });

  it('a poll still running near the deadline is aborted, answers in time, says it was cut short, and keeps what is pending', async () => {
    const api = await fakeApi();
    api.create('batch', { id: 'b1' });
    api.create('batch', { id: 'b2' });
    // The first invocation's receiver refuses b1: it is pending when the second one starts.
    let refuse = true;
    const delivered: string[] = [];
    const deliver = {
      dispatch: (event: TogetherEvent) => {
        if (refuse && event.id === 'batch:b1:VALIDATING') return Promise.resolve({ outcome: 'failed', status: 500 } as WebhookResult);
        delivered.push(event.id);
        return Promise.resolve({ outcome: 'processed', status: 200 } as WebhookResult);
      },
    } as unknown as EventRouter;
    const state = memoryWatchState();
    const seen = errors();
    const handler = createScheduledWatchHandler({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state, resources: ['batch'], marginMs: 100, onError: seen.onError });
    expect(await handler({}, { getRemainingTimeInMillis: () => 60_000 })).toMatchObject({ announced: 2, delivered: 1, pending: 1, cutShort: false });
    refuse = false;
    seen.list.length = 0;
    api.set('batch', 'b2', 'COMPLETED');
    // Answered after 5 s, the list would announce b2's completion and the poll would deliver it.
    api.fault({ delayMs: 5_000, path: '/v1/batches' });
    const started = Date.now();
    const report = await handler({}, { getRemainingTimeInMillis: () => 300 });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(report).toMatchObject({ requests: 1, announced: 0, delivered: 0, pending: 1, cutShort: true });
    expect(seen.list.map(([error, context]) => [String(error), context.phase])).toEqual([
      ['Error: the poll was cut short (the invocation is about to time out): what it did not reach is polled next time', 'poll'],
    ]);
    expect((await state.read()).snapshot.pending.map((entry) => entry.event.id)).toEqual(['batch:b1:VALIDATING']);
    expect(delivered).toEqual(['batch:b2:VALIDATING']);
  });

  it.each([
    ['no state', {}, /state is required/],
    ['a negative marginMs', { state: memoryWatchState(), marginMs: -1 }, /marginMs must be a non-negative number/],
  ])('%s is refused at construction', async (_case, options, message) => {
    const { deliver } = receiver();
    expect(() => createScheduledWatchHandler({ deliver, ...(options as { state: ReturnType<typeof memoryWatchState> }) })).toThrow(message);
  });
});
