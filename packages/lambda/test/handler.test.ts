/**
 * What is Lambda's own: each event source's quirks as recorded fixtures (header case, multi-value
 * headers, base64 bodies, the result's shape), lossy text bodies, a 413 in the source's shape and
 * events that are not HTTP requests. The delivery cases are in delivery-cases.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, sign, type WebhookErrorContext } from '@x/together-webhooks-core';
import { TEST_SECRET, makeEvent, nextEventId, notUtf8Event } from '@x/together-webhooks-test-support';
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
    bytes: notUtf8Event,
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
    bytes: notUtf8Event,
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
    bytes: notUtf8Event,
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

  it('rejects the invalid-UTF-8 body when it arrives as lossy text instead of base64 (the bytes changed)', async () => {
    const { handler, runs } = setup();
    const id = nextEventId();
    const delivery = signed({ id, bytes: notUtf8Event(id) });
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

  it('throws, and reports, for an event that is not an HTTP request', async () => {
    const { handler, errors } = setup();
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} } as unknown as LambdaEvent;
    await expect(handler(scheduled)).rejects.toThrow(TypeError);
    expect(errors.map((e) => e.context)).toEqual([{ phase: 'adapter', outcome: 'failed' }]);
  });
});
