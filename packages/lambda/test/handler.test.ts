import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, sign, type WebhookErrorContext } from '@x/together-webhooks-core';
import { TEST_SECRET, makeEvent, nextEventId } from '@x/together-webhooks-node-http/testing';
import { createLambdaHandler, type LambdaEvent } from '../src/index.js';

type Json = Record<string, unknown>;

function fixture(file: string): Json {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as Json;
}

/** A delivery signed now: its exact bytes and its two webhook headers. */
interface Signed {
  id: string;
  bytes: Uint8Array;
  text: string;
  signature: string;
  timestamp: string;
}

function signed(options: { bytes?: Uint8Array; id?: string } = {}): Signed {
  const id = options.id ?? nextEventId();
  const bytes = options.bytes ?? new TextEncoder().encode(JSON.stringify(makeEvent({ id })));
  const headers = sign(bytes, { secret: TEST_SECRET });
  return {
    id,
    bytes,
    text: Buffer.from(bytes).toString('utf8'),
    signature: headers['x-together-signature'],
    timestamp: headers['x-together-timestamp'],
  };
}

// A valid event whose `data.note` holds bytes that are not UTF-8: only the exact bytes verify.
function invalidUtf8Event(id: string): Uint8Array {
  const [before, after] = JSON.stringify(makeEvent({ id })).split('"status"') as [string, string];
  return Buffer.concat([Buffer.from(`${before}"note":"`), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(`","status"${after}`)]);
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const JSON_TYPE = 'application/json; charset=utf-8';
const okBody = (id: string, outcome = 'processed') => JSON.stringify({ ok: true, outcome, id });

interface Row {
  file: string;
  /** The webhook parts of the event; every other field stays as the fixture has it. */
  event: (d: Signed) => Json;
  /** The delivery to sign; a fresh `fine_tune.completed` by default. */
  bytes?: (id: string) => Uint8Array;
  expected: (d: Signed) => Json;
}

const restOk = (d: Signed) => ({ statusCode: 200, headers: { 'content-type': JSON_TYPE }, body: okBody(d.id), isBase64Encoded: false });
const httpOk = restOk;

const rows: Record<string, Row> = {
  'REST: plain body, client header case (X-Together-*), both header maps': {
    file: 'apigw-rest-no-auth.json',
    event: (d) => ({
      body: d.text,
      isBase64Encoded: false,
      headers: { ...fixture('apigw-rest-no-auth.json').headers as Json, 'X-Together-Signature': d.signature, 'X-Together-Timestamp': d.timestamp },
      multiValueHeaders: { ...fixture('apigw-rest-no-auth.json').multiValueHeaders as Json, 'X-Together-Signature': [d.signature], 'X-Together-Timestamp': [d.timestamp] },
    }),
    expected: restOk,
  },
  'REST: base64 body that is not valid UTF-8 decodes to the exact bytes': {
    file: 'apigw-rest-iam-auth.json',
    bytes: invalidUtf8Event,
    event: (d) => ({
      body: base64(d.bytes),
      isBase64Encoded: true,
      headers: { 'x-TOGETHER-signature': d.signature, 'X-together-Timestamp': d.timestamp },
      multiValueHeaders: { 'x-TOGETHER-signature': [d.signature], 'X-together-Timestamp': [d.timestamp] },
    }),
    expected: restOk,
  },
  'REST: multiValueHeaders win over headers (which keep only the last repetition)': {
    file: 'apigw-rest-no-auth.json',
    event: (d) => ({
      body: d.text,
      isBase64Encoded: false,
      headers: { 'X-Together-Signature': 'ab'.repeat(32), 'X-Together-Timestamp': d.timestamp },
      multiValueHeaders: { 'X-Together-Signature': [d.signature, 'ab'.repeat(32)], 'X-Together-Timestamp': [d.timestamp] },
    }),
    expected: restOk,
  },
  'REST: headers and multiValueHeaders null': {
    file: 'apigw-rest-no-auth.json',
    event: (d) => ({ body: d.text, isBase64Encoded: false, headers: null, multiValueHeaders: null }),
    expected: () => ({
      statusCode: 401,
      headers: { 'content-type': JSON_TYPE },
      body: expect.stringContaining('"error":"missing_signature"') as unknown,
      isBase64Encoded: false,
    }),
  },
  'HTTP API: plain body': {
    file: 'apigw-http-no-auth.json',
    event: (d) => ({
      body: d.text,
      isBase64Encoded: false,
      headers: { ...fixture('apigw-http-no-auth.json').headers as Json, 'content-length': String(d.bytes.byteLength), 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp },
    }),
    expected: httpOk,
  },
  'HTTP API: base64 body with invalid UTF-8, repeated signature header joined with a comma': {
    file: 'apigw-http-iam-auth.json',
    bytes: invalidUtf8Event,
    event: (d) => ({
      body: base64(d.bytes),
      isBase64Encoded: true,
      headers: { 'x-together-signature': `${'cd'.repeat(32)},${d.signature}`, 'x-together-timestamp': d.timestamp },
    }),
    expected: httpOk,
  },
  'Function URL: plain body': {
    file: 'lambda-base.json',
    event: (d) => ({
      body: d.text,
      isBase64Encoded: false,
      headers: { ...fixture('lambda-base.json').headers as Json, 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp },
    }),
    expected: httpOk,
  },
  'Function URL: base64 body': {
    file: 'lambda-get-request.json',
    event: (d) => ({
      body: base64(d.bytes),
      isBase64Encoded: true,
      headers: { ...fixture('lambda-get-request.json').headers as Json, 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp },
    }),
    expected: httpOk,
  },
  'ALB: single-value headers, answered with headers and a status line': {
    file: 'alb-base.json',
    event: (d) => ({
      body: d.text,
      isBase64Encoded: false,
      headers: { ...fixture('alb-base.json').headers as Json, 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp },
    }),
    expected: (d) => ({
      statusCode: 200,
      statusDescription: '200 OK',
      headers: { 'content-type': JSON_TYPE },
      body: okBody(d.id),
      isBase64Encoded: false,
    }),
  },
  'ALB: multi-value mode, base64 body, answered with multiValueHeaders': {
    file: 'alb-multi-fields.json',
    bytes: invalidUtf8Event,
    event: (d) => ({
      body: base64(d.bytes),
      isBase64Encoded: true,
      multiValueHeaders: {
        ...fixture('alb-multi-fields.json').multiValueHeaders as Json,
        'x-together-signature': ['ef'.repeat(32), d.signature],
        'x-together-timestamp': [d.timestamp],
      },
    }),
    expected: (d) => ({
      statusCode: 200,
      statusDescription: '200 OK',
      multiValueHeaders: { 'content-type': [JSON_TYPE] },
      body: okBody(d.id),
      isBase64Encoded: false,
    }),
  },
  'ALB: a tampered body is 401 with its status line': {
    file: 'alb-base.json',
    event: (d) => ({
      body: d.text.replace('"completed"', '"running"'),
      isBase64Encoded: false,
      headers: { 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp },
    }),
    expected: () => ({
      statusCode: 401,
      statusDescription: '401 Unauthorized',
      headers: { 'content-type': JSON_TYPE },
      body: expect.stringContaining('"error":"signature_mismatch"') as unknown,
      isBase64Encoded: false,
    }),
  },
};

function setup() {
  const runs: string[] = [];
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  const webhooks = createWebhooks({
    secret: TEST_SECRET,
    store: memoryStore(),
    maxBodyBytes: 64 * 1024,
    onError: (error, context) => errors.push({ error, context }),
  });
  webhooks.on('fine_tune.completed', (event) => {
    runs.push(event.id);
  });
  return { handler: createLambdaHandler(webhooks), runs, errors };
}

function eventFor(row: Row, delivery: Signed): LambdaEvent {
  // Only the webhook parts change; keys the row leaves out (such as multiValueHeaders) stay as AWS sent them.
  const event: Json = { ...fixture(row.file), ...row.event(delivery) };
  return event as unknown as LambdaEvent;
}

describe('createLambdaHandler', () => {
  it.each(Object.entries(rows))('%s', async (_name, row) => {
    const { handler } = setup();
    const id = nextEventId();
    const delivery = signed({ id, ...(row.bytes ? { bytes: row.bytes(id) } : {}) });
    const result = await handler(eventFor(row, delivery));
    expect(result).toEqual(row.expected(delivery));
  });

  it.each([
    ['apigw-rest-no-auth.json', (d: Signed) => ({ body: d.text, isBase64Encoded: false, headers: { 'X-Together-Signature': d.signature, 'X-Together-Timestamp': d.timestamp }, multiValueHeaders: null })],
    ['apigw-http-no-auth.json', (d: Signed) => ({ body: d.text, isBase64Encoded: false, headers: { 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp } })],
    ['alb-multi-fields.json', (d: Signed) => ({ body: d.text, isBase64Encoded: false, multiValueHeaders: { 'x-together-signature': [d.signature], 'x-together-timestamp': [d.timestamp] } })],
  ])('%s: a second delivery of the same event is a duplicate, handlers run once', async (file, event) => {
    const { handler, runs } = setup();
    const delivery = signed();
    const first = await handler(eventFor({ file, event, expected: () => ({}) }, delivery));
    const again = await handler(eventFor({ file, event, expected: () => ({}) }, delivery));
    expect(first.body).toBe(okBody(delivery.id));
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(okBody(delivery.id, 'duplicate'));
    expect(runs).toEqual([delivery.id]);
  });

  it('rejects the invalid-UTF-8 body when it arrives as lossy text instead of base64 (the bytes changed)', async () => {
    const { handler, runs } = setup();
    const id = nextEventId();
    const delivery = signed({ id, bytes: invalidUtf8Event(id) });
    const result = await handler(eventFor({ file: 'apigw-http-no-auth.json', event: (d) => ({ body: d.text, isBase64Encoded: false, headers: { 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp } }), expected: () => ({}) }, delivery));
    expect(result.statusCode).toBe(401);
    expect(runs).toEqual([]);
  });

  it('answers 413 for a body over maxBodyBytes, in the source shape', async () => {
    const { handler } = setup();
    const big = new TextEncoder().encode(JSON.stringify(makeEvent({ padTo: 70 * 1024 })));
    const delivery = signed({ bytes: big });
    const result = await handler(eventFor({ file: 'alb-base.json', event: (d) => ({ body: base64(d.bytes), isBase64Encoded: true, headers: { 'x-together-signature': d.signature, 'x-together-timestamp': d.timestamp } }), expected: () => ({}) }, delivery));
    expect(result).toMatchObject({ statusCode: 413, statusDescription: '413 Payload Too Large' });
    expect(JSON.parse(result.body)).toMatchObject({ error: 'payload_too_large' });
    // The core's hop-by-hop `connection: close` is not passed to a gateway that owns the connection.
    expect((result as { headers?: Record<string, string> }).headers).not.toHaveProperty('connection');
    expect((result as { headers?: Record<string, string> }).headers).toHaveProperty('content-type');
  });

  it('answers a stale delivery with 401 timestamp_too_old', async () => {
    const { handler } = setup();
    const bytes = new TextEncoder().encode(JSON.stringify(makeEvent()));
    const headers = sign(bytes, { secret: TEST_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const event = { ...fixture('apigw-http-no-auth.json'), body: Buffer.from(bytes).toString('utf8'), headers } as unknown as LambdaEvent;
    const result = await handler(event);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'timestamp_too_old' });
  });

  it('throws, and reports, for an event that is not an HTTP request', async () => {
    const { handler, errors } = setup();
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} } as unknown as LambdaEvent;
    await expect(handler(scheduled)).rejects.toThrow(TypeError);
    expect(errors.map((e) => e.context)).toEqual([{ phase: 'adapter', outcome: 'failed' }]);
  });
});
