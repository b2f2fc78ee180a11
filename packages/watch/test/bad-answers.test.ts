import { describe, expect, it } from 'vitest';
import { memoryWatchState, pollTogetherJobs, TogetherResponseError } from '../src/index.js';
import { errors, fakeApi, receiver } from './helpers.js';

// Answers that are not what Together's OpenAPI description says, each on one list request.
const cases = [
  ['a list without data', '/v1/fine-tunes', '{"object":"list"}', 'application/json', /GET \/fine-tunes answered an object, not an object with a "data" array/],
  ['data that is not an array', '/v1/fine-tunes', '{"data":{"id":"x"}}', 'application/json', /not an object with a "data" array/],
  ['null', '/v1/batches', 'null', 'application/json', /GET \/batches answered null, not an array/],
  ['an object where an array is due', '/v1/batches', '{"data":[]}', 'application/json', /GET \/batches answered an object, not an array/],
  ['an HTML error page with 200', '/v1/batches', '<!doctype html><h1>Bad gateway</h1>', 'text/html', /answered an HTML page, not an array/],
] as const;

describe('answers that are not the documented shape', () => {
  it.each(cases)('%s: one line to onError, the other resources still polled, nothing thrown', async (_case, path, body, contentType, message) => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.create('evaluation', { workflow_id: 'wf-1', status: 'completed' });
    api.fault({ path, body, contentType });
    const seen = errors();
    const report = await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state: memoryWatchState(), resources: ['fine_tune', 'batch', 'evaluation'], onError: seen.onError });
    expect(report.failed).toBe(true);
    expect(seen.list).toHaveLength(1);
    const [error, context] = seen.list[0]!;
    expect(error).toBeInstanceOf(TogetherResponseError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect(context.phase).toBe('poll');
    expect(ids()).toEqual(['evaluation:wf-1:completed']);
  });

  it('entries without an id or a state, and entries that are not objects, are skipped', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.fault({ path: '/v1/batches', body: JSON.stringify([null, 3, 'x', { status: 'COMPLETED' }, { id: 'b-no-state' }, { id: 'b1', status: 'FAILED' }]) });
    const seen = errors();
    const report = await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state: memoryWatchState(), resources: ['batch'], onError: seen.onError });
    expect(report).toMatchObject({ failed: false, announced: 1 });
    expect(ids()).toEqual(['batch:b1:FAILED']);
    expect(seen.list).toEqual([]);
  });

  it('a retrieve that answers another job is refused, not announced under this job’s id', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.create('fine_tune', { id: 'ft-1', status: 'completed' });
    api.fault({ path: '/v1/fine-tunes/ft-1', body: JSON.stringify({ id: 'ft-other', status: 'completed' }) });
    const seen = errors();
    const state = memoryWatchState();
    await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state, resources: ['fine_tune'], onError: seen.onError });
    expect(ids()).toEqual([]);
    expect(String(seen.list[0]?.[0])).toMatch(/GET \/fine-tunes\/ft-1 answered the id "ft-other"/);
    // Not recorded as seen: the next poll tries again, and announces it.
    await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state, resources: ['fine_tune'] });
    expect(ids()).toEqual(['fine_tune:ft-1:completed']);
  });
});
