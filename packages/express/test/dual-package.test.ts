/**
 * The dual-package hazard, as a user meets it: an ESM app imports the core while the Express
 * adapter is loaded through `require` (a CJS app, or a CJS dependency), so the app holds two
 * builds of the core. The adapter's 413 must stay a 413 (spec section 10), never a 500 that the
 * sender retries forever. Runs the published builds (`pnpm test` builds first).
 */
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, close, listen, makeEvent, post, signedDelivery } from '@x/together-webhooks-test-support';

type Core = typeof import('@x/together-webhooks-core');
type Adapter = typeof import('../src/index.js');

const requireFromHere = createRequire(import.meta.url);
const coreDist = (path: string) => pathToFileURL(fileURLToPath(new URL(`../../core/dist/${path}`, import.meta.url))).href;
let adapterCjs: Adapter;
let expressCjs: typeof import('express');
const cores: Record<string, Core> = {};

beforeAll(async () => {
  // require() resolves the adapter's own `require` export, and it requires the core's CJS build.
  adapterCjs = requireFromHere('@x/together-webhooks-express') as Adapter;
  expressCjs = requireFromHere('express') as typeof import('express');
  cores['ESM node build'] = (await import(/* @vite-ignore */ coreDist('node/index.js'))) as Core;
  cores['ESM portable build'] = (await import(/* @vite-ignore */ coreDist('portable/index.js'))) as Core;
});

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

describe.each(['ESM node build', 'ESM portable build'])('the CJS Express adapter with the %s of the core', (coreName) => {
  it('answers an oversized body 413 payload_too_large, with and without content-length', async () => {
    const core = cores[coreName]!;
    const reported: unknown[] = [];
    const webhooks = core.createWebhooks({ secret: TEST_SECRET, store: core.memoryStore(), maxBodyBytes: 1024, onError: (error) => reported.push(error) });
    webhooks.on('fine_tune.completed', () => undefined);
    const app = expressCjs();
    app.post('/webhooks', adapterCjs.togetherWebhooks(webhooks));
    const server = createServer(app);
    servers.push(server);
    const url = `${await listen(server)}/webhooks`;

    const big = signedDelivery({ event: makeEvent({ padTo: 4096 }) });
    const declared = await post(url, big.body, big.headers);
    const streamed = await fetch(url, {
      method: 'POST',
      headers: big.headers,
      body: new Blob([big.body]).stream(),
      duplex: 'half',
    } as RequestInit);
    for (const answer of [declared, { status: streamed.status, body: (await streamed.json()) as Record<string, unknown> }]) {
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ outcome: 'rejected', error: 'payload_too_large' });
    }
    expect(reported).toEqual([]);

    // And a delivery within the limit is processed by the same pair.
    const small = signedDelivery();
    expect((await post(url, small.body, small.headers)).status).toBe(200);
  });
});
