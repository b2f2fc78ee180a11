import { createServer, type Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, sign, type WebhookErrorContext } from '@x/together-webhooks-core';
import { TEST_SECRET, close, listen, makeEvent, post } from '@x/together-webhooks-test-support';
import { togetherWebhooks } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

async function start(parserFirst: boolean) {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const webhooks = createWebhooks({ secret: TEST_SECRET, store: memoryStore(), onError: (error, context) => errors.push({ error, context }) });
  webhooks.on('fine_tune.completed', () => undefined);
  const app = new Koa();
  if (parserFirst) app.use(bodyParser());
  const router = new Router();
  router.post('/webhooks', togetherWebhooks(webhooks));
  app.use(router.routes());
  const callback = app.callback();
  const server = createServer((req, res) => {
    void callback(req, res);
  });
  servers.push(server);
  return { url: `${await listen(server)}/webhooks`, errors };
}

// Valid JSON events whose bytes do not survive decoding to text and back.
function bomPrefixed(): Uint8Array<ArrayBuffer> {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(makeEvent()))]);
}
function invalidUtf8(): Uint8Array<ArrayBuffer> {
  const event = makeEvent();
  (event.data as Record<string, unknown>).note = '<here>';
  const [before, after] = JSON.stringify(event).split('<here>');
  return Buffer.concat([Buffer.from(before!), Buffer.from([0xff, 0xc3]), Buffer.from(after!)]);
}

describe.each<[string, () => Uint8Array<ArrayBuffer>, Record<string, unknown>]>([
  // Authentic, so the core decides on the payload: JSON.parse refuses a leading BOM.
  ['a UTF-8 BOM', bomPrefixed, { outcome: 'rejected', error: 'invalid_payload' }],
  ['invalid UTF-8', invalidUtf8, { ok: true, outcome: 'processed' }],
])('a body with %s, signed over its raw bytes', (_case, makeBody, unparsedAnswer) => {
  it('behind @koa/bodyparser: 401 signature_mismatch, and onError names the decoded rawBody and the fix', async () => {
    const { url, errors } = await start(true);
    const body = makeBody();
    const answer = await post(url, body, { 'content-type': 'application/json', ...sign(body, { secret: TEST_SECRET }) });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ ok: false, outcome: 'rejected', error: 'signature_mismatch' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'rejected' });
    const message = (errors[0]!.error as Error).message;
    expect(message).toContain('@koa/bodyparser');
    expect(message).toContain('ctx.request.rawBody');
    expect(message).toContain('Register the webhook route before the body parser');
    expect(message).not.toContain(TEST_SECRET);
  });

  it('with the route before the body parser: the signature over the raw bytes matches', async () => {
    const { url, errors } = await start(false);
    const body = makeBody();
    const answer = await post(url, body, { 'content-type': 'application/json', ...sign(body, { secret: TEST_SECRET }) });
    expect(answer.body).toMatchObject(unparsedAnswer);
    expect(errors).toEqual([]);
  });
});

it('a forged delivery of valid UTF-8 behind @koa/bodyparser is still only a 401 (the note goes to onError, never to the sender)', async () => {
  const { url, errors } = await start(true);
  const body = JSON.stringify(makeEvent());
  const answer = await post(url, body, { 'content-type': 'application/json', ...sign(body, { secret: 'whsec_someone_else' }) });
  expect(answer.status).toBe(401);
  expect(answer.body).toMatchObject({ error: 'signature_mismatch' });
  expect(JSON.stringify(answer.body)).not.toContain('bodyparser');
  expect(errors).toHaveLength(1);
});
