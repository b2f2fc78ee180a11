import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryStore, togetherScheme, verify, type TogetherEvent } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { httpDelivery } from '../src/http-delivery.js';
import { WatchDeliveryError } from '../src/index.js';
import { errors, fakeApi, onCleanup, receiver, sleep, waitFor, watcher } from './helpers.js';
import { startReceiver } from './receiver-server.js';

const SECRET = 'whsec_test';

async function setup() {
  const api = await fakeApi();
  const rx = receiver(memoryStore());
  const server = await startReceiver(rx.webhooks);
  onCleanup(() => server.close());
  return { api, rx, server };
}

describe('forwarding as signed webhook deliveries over HTTP', () => {
  it('each transition arrives signed, verifies, and is handled once, in order', async () => {
    const { api, rx, server } = await setup();
    const id = String(api.create('fine_tune')['id']);
    const watch = watcher(api, { deliver: { url: server.url, secret: SECRET }, resources: ['fine_tune'] });
    await watch.start();
    await api.play('fine_tune', id, [
      { afterMs: 200, state: 'queued', afterReads: 2 },
      { afterMs: 200, state: 'running', afterReads: 2 },
      { afterMs: 200, state: 'completed', afterReads: 2 },
    ]);
    await waitFor(() => rx.handled.length === 4, 'four events over HTTP');
    expect(rx.ids()).toEqual(['pending', 'queued', 'running', 'completed'].map((state) => `fine_tune:${id}:${state}`));
    expect(server.deliveries.every((delivery) => delivery.status === 200 && /^[0-9a-f]{64}$/.test(delivery.signature ?? ''))).toBe(true);
    expect(server.deliveries).toHaveLength(4);
  });

  it('survives the receiver answering 503 for a while: attempts exhausted are reported, the event stays pending, nothing is lost or doubled', async () => {
    const { api, rx, server } = await setup();
    const seen = errors();
    server.interfere({ times: 7, status: 503, retryAfter: '1' });
    api.create('batch', { id: 'b1' });
    api.create('batch', { id: 'b2', status: 'COMPLETED', completed_at: new Date().toISOString() });
    const watch = watcher(api, {
      deliver: { url: server.url, secret: SECRET, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      resources: ['batch'],
      onError: seen.onError,
    });
    await watch.start();
    // The first round tried three times, then left both events for the next round.
    expect(server.deliveries.map((delivery) => delivery.status)).toEqual([503, 503, 503]);
    expect(seen.list).toHaveLength(1);
    const [error, context] = seen.list[0]!;
    expect(error).toBeInstanceOf(WatchDeliveryError);
    expect(error).toMatchObject({ attempts: 3, status: 503, eventId: context.event?.id });
    expect(context).toMatchObject({ phase: 'deliver', resource: 'batch' });
    api.set('batch', 'b1', 'IN_PROGRESS');
    await waitFor(() => rx.handled.length === 3, 'every event once the receiver is back');
    await sleep(200);
    expect(rx.ids().sort()).toEqual(['batch:b1:IN_PROGRESS', 'batch:b1:VALIDATING', 'batch:b2:COMPLETED']);
    // One job's events in order even though the first waited through the outage.
    expect(rx.ids().filter((eventId) => eventId.startsWith('batch:b1'))).toEqual(['batch:b1:VALIDATING', 'batch:b1:IN_PROGRESS']);
    expect(seen.list.length).toBeGreaterThanOrEqual(2);
  });

  it('honours Retry-After (409 from a delivery of the same id in progress)', async () => {
    const { api, rx, server } = await setup();
    server.interfere({ times: 1, status: 409, retryAfter: '1' });
    api.create('batch', { id: 'b1' });
    const watch = watcher(api, { deliver: { url: server.url, secret: SECRET, baseDelayMs: 10 }, resources: ['batch'], intervalMs: 5_000 });
    await watch.start();
    expect(rx.handled).toHaveLength(1);
    const [first, second] = server.deliveries;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
  });

  it('a receiver slower than deliver.timeoutMs is retried', async () => {
    const { api, rx, server } = await setup();
    server.interfere({ times: 1, status: 200, delayMs: 500 });
    api.create('batch', { id: 'b1' });
    const watch = watcher(api, { deliver: { url: server.url, secret: SECRET, timeoutMs: 100, baseDelayMs: 10 }, resources: ['batch'], intervalMs: 5_000 });
    await watch.start();
    expect(rx.ids()).toEqual(['batch:b1:VALIDATING']);
  });

  it('a refusal that retrying cannot fix (wrong secret: 401) stops the attempts for this round but is never dropped', async () => {
    const { api, rx, server } = await setup();
    const seen = errors();
    api.create('batch', { id: 'b1' });
    const watch = watcher(api, { deliver: { url: server.url, secret: 'whsec_other' }, resources: ['batch'], onError: seen.onError });
    await watch.start();
    expect(server.deliveries.map((delivery) => delivery.status)).toEqual([401]);
    await waitFor(() => seen.list.length >= 3, 'the delivery offered again on later rounds');
    expect(seen.list.every(([error]) => (error as WatchDeliveryError).status === 401)).toBe(true);
    // The receiver's rejection code says which check failed.
    expect((seen.list[0]![0] as Error).message).toMatch(/\(last answer 401 rejected \(signature_mismatch\)\); it is offered again/);
    expect(rx.handled).toHaveLength(0);
  });

  it('a receiver that cannot be reached is reported as such', async () => {
    const { api, server } = await setup();
    const seen = errors();
    const url = server.url;
    await server.close();
    api.create('batch', { id: 'b1' });
    const watch = watcher(api, { deliver: { url, secret: SECRET, maxAttempts: 2, baseDelayMs: 1 }, resources: ['batch'], onError: seen.onError });
    await watch.start();
    expect(seen.list).toHaveLength(1);
    expect(String((seen.list[0]![0] as Error).message)).toMatch(/after 2 attempt\(s\) \(could not reach it\)/);
  });

  it('the body is the event envelope, byte for byte what was signed', async () => {
    const api = await fakeApi();
    api.create('batch', { id: 'b1' });
    const bodies: string[] = [];
    const capture = await startReceiver({
      ...receiver().webhooks,
      async handle(input) {
        const raw = 'body' in input ? input.body : '';
        bodies.push(typeof raw === 'string' ? raw : Buffer.from(raw as Uint8Array).toString('utf8'));
        const event = await verify(input, { secret: SECRET });
        return { status: 200, headers: {}, body: { ok: true, outcome: 'processed', id: event.id }, outcome: 'processed', event };
      },
    });
    onCleanup(() => capture.close());
    const watch = watcher(api, { deliver: { url: capture.url, secret: SECRET }, resources: ['batch'], intervalMs: 5_000 });
    await watch.start();
    expect(bodies).toHaveLength(1);
    const envelope = JSON.parse(bodies[0]!) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual(['id', 'type', 'created', 'data']);
    expect(envelope).toMatchObject({ id: 'batch:b1:VALIDATING', type: 'batch.created', data: { id: 'b1', status: 'VALIDATING' } });
  });
});

describe("a refused delivery's error names what the receiver answered, from a bounded read it never trusts", () => {
  const event: TogetherEvent = { id: 'batch:b1:FAILED', type: 'batch.failed', created: '2026-01-15T10:30:00.000Z', data: { id: 'b1' } };
  const signatureLike = 'a'.repeat(64);

  /** Answers every POST with `status` and `body` (a string, or `bytes` of filler). */
  async function answering(status: number, body: string | { bytes: number }, contentType = 'application/json') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': contentType });
        if (typeof body === 'string') res.end(body);
        else res.end('{"outcome":"rejected","error":"signature_mismatch","pad":"' + 'x'.repeat(body.bytes) + '"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    onCleanup(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/together`);
  }

  async function failureMessage(url: URL): Promise<string> {
    const delivery = httpDelivery({ url, secret: SECRET, scheme: togetherScheme(), maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5_000, headers: {} });
    const result = await delivery.send(event, new AbortController().signal);
    expect(result.delivered).toBe(false);
    const error = (result as { error: WatchDeliveryError }).error;
    expect(error).toBeInstanceOf(WatchDeliveryError);
    return error.message;
  }

  it.each<[string, number, string | { bytes: number }, string]>([
    [
      'a rejection: outcome and code, never the message',
      401,
      JSON.stringify({ ok: false, outcome: 'rejected', error: 'signature_mismatch', message: 'the body was changed before verification' }),
      'last answer 401 rejected (signature_mismatch)',
    ],
    ['an outcome without a code', 503, JSON.stringify({ ok: false, outcome: 'store_unavailable' }), 'last answer 503 store_unavailable'],
    ['an answer that is not JSON', 401, '<h1>Unauthorized</h1>', 'last answer 401)'],
    ['JSON that is not an object', 401, '"rejected"', 'last answer 401)'],
    ['fields that are not codes (text, a secret, a signature)', 401, JSON.stringify({ outcome: 'Nope, try again', error: `whsec_${signatureLike}` }), 'last answer 401)'],
    ['a code field holding a signature', 401, JSON.stringify({ outcome: 'rejected', error: signatureLike }), 'last answer 401 rejected)'],
    ['a code field echoing the secret', 401, JSON.stringify({ outcome: 'rejected', error: SECRET }), 'last answer 401 rejected)'],
    ['an answer larger than the bound (only its start is read)', 401, { bytes: 1 << 20 }, 'last answer 401)'],
  ])('%s', async (_case, status, body, expected) => {
    const message = await failureMessage(await answering(status, body));
    expect(message).toContain(`(${expected}`);
    expect(message).not.toContain('whsec_');
    expect(message).not.toContain(signatureLike);
    expect(message).not.toContain('changed before verification');
    expect(message).not.toContain(SECRET);
  });
});
