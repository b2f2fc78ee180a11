/**
 * The module on both Nest platforms over real HTTP: where the raw bytes come from on each (Nest's
 * `rawBody: true`, or the unread stream with `bodyParser: false` on Express), the answer when they
 * are gone, the configured path under a global prefix, the async factory, and the hooks.
 */
import { Inject, Injectable, Module } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhooks, memoryStore, type WebhookErrorContext, type Webhooks } from '@x/together-webhooks-core';
import { TEST_SECRET, makeEvent, post, sendRequest, signedDelivery } from '@x/together-webhooks-test-support';
import { TOGETHER_WEBHOOKS, TogetherWebhooksModule } from '../src/index.js';
import { startNestApp, type AppSetup, type Platform, type RunningApp } from './nest-app.js';

const apps: RunningApp[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(apps.splice(0).map((running) => running.close()));
});

function receiver(options: { maxBodyBytes?: number } = {}) {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const runs: string[] = [];
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore(), ...options, onError: (error, context) => errors.push({ error, context }) });
  webhooks.on('fine_tune.completed', (event) => {
    runs.push(event.id);
  });
  return { webhooks, errors, runs };
}

async function start(platform: Platform, webhooks: Webhooks, setup: AppSetup, path?: string): Promise<string> {
  const running = await startNestApp(platform, [TogetherWebhooksModule.forRoot(path === undefined ? { webhooks } : { webhooks, path })], setup);
  apps.push(running);
  return running.url;
}

// Where the raw bytes come from, per platform and option.
const working: { name: string; platform: Platform; setup: AppSetup }[] = [
  { name: 'Express platform, rawBody: true (req.rawBody)', platform: 'express', setup: { rawBody: true } },
  { name: 'Express platform, bodyParser: false (the stream, read by the adapter)', platform: 'express', setup: { bodyParser: false } },
  { name: 'Fastify platform, rawBody: true (req.rawBody)', platform: 'fastify', setup: { rawBody: true } },
];

describe.each(working)('$name', ({ platform, setup }) => {
  it('answers 200 processed (not Nest\'s POST default 201), then duplicate, running the handler once', async () => {
    const { webhooks, runs } = receiver();
    const url = await start(platform, webhooks, setup);
    const delivery = signedDelivery();
    const first = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    const again = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([first.status, first.body]).toEqual([200, { ok: true, outcome: 'processed', id: delivery.id }]);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect([again.status, again.body]).toEqual([200, { ok: true, outcome: 'duplicate', id: delivery.id }]);
    expect(runs).toEqual([delivery.id]);
  });

  it('serves the configured path under the global prefix, and only POST', async () => {
    const { webhooks } = receiver();
    const url = await start(platform, webhooks, { ...setup, globalPrefix: 'api' }, '/hooks/together');
    const delivery = signedDelivery();
    const answer = await post(`${url}/api/hooks/together`, delivery.body, delivery.headers);
    expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect((await fetch(`${url}/api/hooks/together`)).status).toBe(404);
    expect((await post(`${url}/webhooks/together`, delivery.body, delivery.headers)).status).toBe(404);
  });

  it('rejects a tampered body with 401 signature_mismatch', async () => {
    const { webhooks, runs } = receiver();
    const url = await start(platform, webhooks, setup);
    const delivery = signedDelivery();
    const answer = await post(`${url}/webhooks/together`, delivery.body.replace('"completed"', '"cancelled"'), delivery.headers);
    expect([answer.status, answer.body.error]).toEqual([401, 'signature_mismatch']);
    expect(runs).toEqual([]);
  });
});

// The raw bytes are gone: every delivery would be a confusing 401, so the answer is 500 and onError says what to set.
const misconfigured: { name: string; platform: Platform; setup: AppSetup; fix: RegExp }[] = [
  { name: 'Express platform without rawBody', platform: 'express', setup: {}, fix: /NestFactory\.create\(AppModule, \{ rawBody: true \}\)/ },
  { name: 'Fastify platform without rawBody', platform: 'fastify', setup: {}, fix: /rawBody: true/ },
  { name: 'Fastify platform with bodyParser: false', platform: 'fastify', setup: { rawBody: true, bodyParser: false }, fix: /bodyParser: false does not stop Fastify's own JSON parser/ },
];

describe.each(misconfigured)('$name', ({ platform, setup, fix }) => {
  it('answers 500 failed and reports the option that fixes it', async () => {
    const { webhooks, errors, runs } = receiver();
    const url = await start(platform, webhooks, setup);
    const delivery = signedDelivery();
    const answer = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([answer.status, answer.body]).toEqual([500, { ok: false, outcome: 'failed' }]);
    expect(runs).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toMatchObject({ phase: 'adapter', outcome: 'failed' });
    expect(String(errors[0]!.error)).toMatch(fix);
  });
});

it('without onError, the missing rawBody is printed once on console.error, naming the fix', async () => {
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore() });
  const url = await start('express', webhooks, {});
  const delivery = signedDelivery();
  expect((await post(`${url}/webhooks/together`, delivery.body, delivery.headers)).status).toBe(500);
  expect(consoleError).toHaveBeenCalledTimes(1);
  const line = consoleError.mock.calls[0]!.map(String).join(' ');
  expect(line).toMatch(/^\[together-webhooks\] adapter error, answered failed: TypeError: together-webhooks \(nestjs\)/);
  expect(line).toContain('{ rawBody: true }');
  expect(line).not.toContain(TEST_SECRET);
});

describe('body limits', () => {
  const large = () => signedDelivery({ event: makeEvent({ padTo: 200 * 1024 }) });

  it("Express platform, rawBody: true: a delivery over body-parser's 100kb default is the platform's 413; raising its limit lets it through", async () => {
    const { webhooks } = receiver();
    const delivery = large();
    const url = await start('express', webhooks, { rawBody: true });
    const refused = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([refused.status, refused.body.statusCode]).toEqual([413, 413]);
    const raised = await start('express', webhooks, { rawBody: true, jsonLimit: webhooks.maxBodyBytes });
    expect((await post(`${raised}/webhooks/together`, delivery.body, delivery.headers)).body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
  });

  it('Express platform, bodyParser: false: maxBodyBytes is the limit, answered from content-length before the body is sent', async () => {
    const { webhooks } = receiver({ maxBodyBytes: 8 * 1024 });
    const url = await start('express', webhooks, { bodyParser: false });
    const delivery = signedDelivery({ event: makeEvent({ padTo: 64 * 1024 }) });
    const answer = await sendRequest(`${url}/webhooks/together`, { ...delivery, sendOnly: 1024 });
    expect([answer.status, answer.body.error, answer.headers.connection]).toEqual([413, 'payload_too_large', 'close']);
    expect(answer.written).toBe(1024);
  });

  it("Fastify platform: the adapter's 413 under Fastify's bodyLimit, Fastify's own 413 (early) above it", async () => {
    const { webhooks } = receiver({ maxBodyBytes: 8 * 1024 });
    const url = await start('fastify', webhooks, { rawBody: true, bodyLimit: 32 * 1024 });
    const over = signedDelivery({ event: makeEvent({ padTo: 16 * 1024 }) });
    const ours = await post(`${url}/webhooks/together`, over.body, over.headers);
    expect([ours.status, ours.body.error]).toEqual([413, 'payload_too_large']);
    const huge = signedDelivery({ event: makeEvent({ padTo: 64 * 1024 }) });
    const fastify = await sendRequest(`${url}/webhooks/together`, { ...huge, sendOnly: 1024 });
    expect([fastify.status, fastify.body.statusCode]).toEqual([413, 413]);
  });
});

describe('forRootAsync and the exported receiver', () => {
  class Deployments {
    readonly deployed: string[] = [];
  }
  Injectable()(Deployments);

  it.each(['express', 'fastify'] as const)('%s: the factory builds the receiver with injected services; TOGETHER_WEBHOOKS injects it elsewhere', async (platform) => {
    // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is a class carrying metadata
    class DeploymentsModule {}
    Module({ providers: [Deployments], exports: [Deployments] })(DeploymentsModule);
    class Probe {
      constructor(readonly webhooks: Webhooks) {}
    }
    Inject(TOGETHER_WEBHOOKS)(Probe, undefined, 0);
    Injectable()(Probe);
    const webhooksModule = TogetherWebhooksModule.forRootAsync({
      imports: [DeploymentsModule],
      inject: [Deployments],
      path: '/webhooks/async',
      useFactory: async (deployments: Deployments) =>
        createWebhooks({ secret: TEST_SECRET, store: memoryStore() }).on('fine_tune.completed', (event) => {
          deployments.deployed.push(event.data.model_output_name ?? '');
        }),
    });
    // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is a class carrying metadata
    class ProbeModule {}
    Module({ imports: [webhooksModule], providers: [Probe] })(ProbeModule);
    const running = await startNestApp(platform, [ProbeModule, DeploymentsModule], { rawBody: true });
    apps.push(running);
    const delivery = signedDelivery();
    const answer = await post(`${running.url}/webhooks/async`, delivery.body, delivery.headers);
    expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
    expect(running.app.get(Deployments).deployed).toEqual(['acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c']);
    expect(typeof running.app.get(Probe).webhooks.handle).toBe('function');
  });
});

it.each(['express', 'fastify'] as const)('%s: onResult sees each result before it is written', async (platform) => {
  const { webhooks } = receiver();
  const seen: string[] = [];
  const running = await startNestApp(
    platform,
    [TogetherWebhooksModule.forRoot({ webhooks, onResult: (result) => seen.push(result.outcome) })],
    { rawBody: true },
  );
  apps.push(running);
  const delivery = signedDelivery();
  await post(`${running.url}/webhooks/together`, delivery.body, delivery.headers);
  expect(seen).toEqual(['processed']);
});

it('refuses an empty path at forRoot, naming the option', () => {
  const { webhooks } = receiver();
  expect(() => TogetherWebhooksModule.forRoot({ webhooks, path: '' })).toThrow(/path must be a non-empty string/);
});
