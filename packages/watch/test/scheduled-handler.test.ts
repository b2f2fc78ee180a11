import { describe, expect, it } from 'vitest';
import { createScheduledWatchHandler, memoryWatchState } from '../src/index.js';
import { fakeApi, receiver } from './helpers.js';

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

  it('a poll still running near the deadline is aborted, and answers rather than being killed', async () => {
    const api = await fakeApi();
    const { deliver } = receiver();
    api.fault({ delayMs: 5_000, path: '/v1/batches' });
    const handler = createScheduledWatchHandler({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state: memoryWatchState(), resources: ['batch'], marginMs: 100, onError: () => undefined });
    const report = await handler({}, { getRemainingTimeInMillis: () => 300 });
    expect(report).toMatchObject({ announced: 0, delivered: 0 });
  });

  it.each([
    ['no state', {}, /state is required/],
    ['a negative marginMs', { state: memoryWatchState(), marginMs: -1 }, /marginMs must be a non-negative number/],
  ])('%s is refused at construction', async (_case, options, message) => {
    const { deliver } = receiver();
    expect(() => createScheduledWatchHandler({ deliver, ...(options as { state: ReturnType<typeof memoryWatchState> }) })).toThrow(message);
  });
});
