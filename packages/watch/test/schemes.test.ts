/**
 * Where the watcher delivers (spec sections 11, 12, 15): an event router in process (no secret),
 * or signed HTTP in either scheme, with a secret rotation.
 */
import { createEventRouter, createWebhooks, memoryStore, standardWebhooksScheme, type TogetherEvent } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { fakeApi, onCleanup, waitFor, watcher } from './helpers.js';
import { startReceiver } from './receiver-server.js';

const OLD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

describe('the watcher’s deliveries', () => {
  it('go to a createEventRouter in process: no secret anywhere', async () => {
    const api = await fakeApi();
    const router = createEventRouter({ store: memoryStore() });
    const handled: TogetherEvent[] = [];
    router.onAny((event) => void handled.push(event));
    const id = String(api.create('batch')['id']);
    const watch = watcher(api, { deliver: router, resources: ['batch'] });
    await watch.start();
    await waitFor(() => handled.length === 1, 'batch.created through the router');
    expect(handled[0]).toMatchObject({ id: `batch:${id}:VALIDATING`, type: 'batch.created' });
  });

  it.each([
    ['the old secret', OLD_SECRET],
    ['the new secret', NEW_SECRET],
  ])('are signed with Standard Webhooks and every secret of a rotation: a receiver holding %s verifies them', async (_name, secret) => {
    const api = await fakeApi();
    const webhooks = createWebhooks({ secret, scheme: standardWebhooksScheme(), store: memoryStore() });
    const handled: TogetherEvent[] = [];
    webhooks.onAny((event) => void handled.push(event));
    const server = await startReceiver(webhooks);
    onCleanup(() => server.close());
    const id = String(api.create('fine_tune')['id']);
    const watch = watcher(api, {
      deliver: { url: server.url, secret: [OLD_SECRET, NEW_SECRET], scheme: standardWebhooksScheme() },
      resources: ['fine_tune'],
    });
    await watch.start();
    await waitFor(() => handled.length === 1, 'fine_tune.created over HTTP');
    // The webhook-id header is the event id: retries of one event share it, so they deduplicate.
    expect(handled[0]).toMatchObject({ id: `fine_tune:${id}:pending`, type: 'fine_tune.created' });
    expect(server.deliveries[0]).toMatchObject({ id: `fine_tune:${id}:pending`, status: 200 });
    expect(server.deliveries[0]!.signature).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('refuse a malformed whsec_ secret at construction', async () => {
    const api = await fakeApi();
    expect(() => watcher(api, { deliver: { url: 'http://127.0.0.1:9/', secret: 'whsec_not*base64', scheme: standardWebhooksScheme() } })).toThrow(
      /not a Standard Webhooks secret/,
    );
  });
});
