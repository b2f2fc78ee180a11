import type { EventRouter, TogetherEvent, WebhookResult } from '@x/together-webhooks-core';
import { Together } from 'together-ai';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RESPONSE_BYTES, memoryWatchState, pollTogetherJobs, TogetherResponseError } from '../src/index.js';
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

  it('entries without an id or a state, and entries that are not objects, are skipped, told in one line', async () => {
    const api = await fakeApi();
    const { deliver, ids } = receiver();
    api.fault({ path: '/v1/batches', body: JSON.stringify([null, 3, 'x', { status: 'COMPLETED' }, { id: 'b-no-state' }, { id: 'b1', status: 'FAILED' }]) });
    const seen = errors();
    const report = await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state: memoryWatchState(), resources: ['batch'], onError: seen.onError });
    expect(report).toMatchObject({ failed: false, announced: 1 });
    expect(ids()).toEqual(['batch:b1:FAILED']);
    expect(seen.list.map(([error, context]) => [String(error), context])).toEqual([
      ['TogetherResponseError: GET /batches answered 5 of 6 entries without a string id and status: skipped', { phase: 'poll', resource: 'batch' }],
    ]);
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

describe('an answer too large to read', () => {
  // A receiver that refuses until told otherwise, so that a delivery is pending when the big answer comes.
  const refusing = (): { router: EventRouter; delivered: string[]; refuse: boolean } => {
    const receiver = { router: undefined as unknown as EventRouter, delivered: [] as string[], refuse: true };
    receiver.router = {
      dispatch: (event: TogetherEvent) => {
        if (receiver.refuse) return Promise.resolve({ outcome: 'failed', status: 500 } as WebhookResult);
        receiver.delivered.push(event.id);
        return Promise.resolve({ outcome: 'processed', status: 200 } as WebhookResult);
      },
    } as unknown as EventRouter;
    return receiver;
  };

  it.each([
    ['declaring its content-length', false],
    ['chunked, without a content-length', true],
  ])('30 MB %s: not read whole, told in one line, and the pending delivery still goes out', async (_case, chunked) => {
    const api = await fakeApi();
    api.create('evaluation', { workflow_id: 'wf-1', status: 'completed' });
    const state = memoryWatchState();
    const receiver = refusing();
    const common = { deliver: receiver.router, state, resources: ['evaluation'] as const };
    expect(await pollTogetherJobs({ ...common, apiKey: api.apiKey, baseURL: api.baseURL, onError: () => undefined })).toMatchObject({ announced: 1, pending: 1 });
    // Valid JSON: read whole, it would announce wf-2.
    const body = JSON.stringify([{ workflow_id: 'wf-2', status: 'completed', padding: 'x'.repeat(30 * 1024 * 1024) }]);
    api.fault({ path: '/v1/evaluation', body });
    let bytesRead = 0;
    const client = new Together({
      apiKey: api.apiKey,
      baseURL: api.baseURL,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const headers = new Headers(response.headers);
        // The fake sends its bodies chunked: the other case declares the length as a server may.
        if (chunked) headers.delete('content-length');
        else headers.set('content-length', String(Buffer.byteLength(body)));
        const counted = response.body?.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform: (chunk, out) => ((bytesRead += chunk.byteLength), out.enqueue(chunk)) }));
        return new Response(counted ?? null, { status: response.status, headers });
      },
    });
    receiver.refuse = false;
    const seen = errors();
    const report = await pollTogetherJobs({ ...common, client, onError: seen.onError });
    expect(report).toMatchObject({ failed: true, announced: 0, delivered: 1, pending: 0 });
    expect(receiver.delivered).toEqual(['evaluation:wf-1:completed']);
    expect(seen.list.map(([error, context]) => [String(error), context])).toEqual([
      [`TogetherResponseError: GET /evaluation answered more than ${DEFAULT_MAX_RESPONSE_BYTES} bytes (maxResponseBytes): not read`, { phase: 'poll', resource: 'evaluation' }],
    ]);
    // Stopped at the bound (plus the chunks in flight), or before reading at all when the length says so.
    expect(bytesRead).toBeLessThan(chunked ? DEFAULT_MAX_RESPONSE_BYTES + 1024 * 1024 : 1024 * 1024);
  });

  it('maxResponseBytes sets the bound', async () => {
    const api = await fakeApi();
    api.create('batch', { id: 'b1' });
    const seen = errors();
    const { deliver, ids } = receiver();
    const report = await pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver, state: memoryWatchState(), resources: ['batch'], maxResponseBytes: 100, onError: seen.onError });
    expect(report).toMatchObject({ failed: true, announced: 0 });
    expect(ids()).toEqual([]);
    expect(String(seen.list[0]?.[0])).toMatch(/GET \/batches answered more than 100 bytes \(maxResponseBytes\)/);
  });
});
