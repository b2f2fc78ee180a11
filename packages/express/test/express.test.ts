import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createWebhooks,
  memoryStore,
  sign,
  type IdempotencyStore,
  type WebhookErrorContext,
  type WebhooksOptions,
} from '@x/together-webhooks-core';
import { TEST_SECRET, busyStore, close, listen, post, signedDelivery, unreachableStore } from '@x/together-webhooks-test-support';
import { togetherWebhooks, type TogetherWebhooksOptions } from '../src/index.js';

type Express = typeof express5;
type Setup = 'none' | 'json-first' | 'raw-on-route' | 'text-on-route' | 'raw-other-type-first';

const majors: [string, Express][] = [
  ['Express 5', express5],
  ['Express 4', express4],
];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** What a client that tried to send an oversized body got. */
interface FloodAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** Bytes handed to the socket before it closed. */
  written: number;
  /** Whether the client sent the whole body. */
  finished: boolean;
  /** Why the request ended early (the server closed the connection), if it did. */
  error: string | undefined;
}

const MiB = 1024 * 1024;

/**
 * POSTs `totalBytes` of body as fast as the connection takes it (with `content-length`, or
 * chunked without one) and resolves once the connection is closed, with the answer and how much
 * of the body the client got to send.
 */
function postFlood(url: string, headers: Record<string, string>, totalBytes: number, declareLength: boolean): Promise<FloodAnswer> {
  return new Promise((resolve, reject) => {
    const chunk = new Uint8Array(64 * 1024).fill(32);
    let written = 0;
    let finished = false;
    let error: string | undefined;
    let answer: Pick<FloodAnswer, 'status' | 'headers'> & { text: string } | undefined;
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, ...(declareLength ? { 'content-length': String(totalBytes) } : { 'transfer-encoding': 'chunked' }) },
    });
    req.on('error', (cause) => (error = cause.message));
    req.on('response', (res) => {
      const current = { status: res.statusCode ?? 0, headers: res.headers, text: '' };
      answer = current;
      res.setEncoding('utf8').on('data', (text: string) => (current.text += text));
      res.on('error', () => undefined);
    });
    req.on('close', () => {
      if (!answer) {
        reject(new Error(`no answer before the connection closed (${error ?? 'no error'}, ${written} bytes written)`));
        return;
      }
      resolve({ status: answer.status, headers: answer.headers, body: JSON.parse(answer.text) as Record<string, unknown>, written, finished, error });
    });
    const pump = (): void => {
      while (written < totalBytes) {
        if (req.destroyed) return;
        written += chunk.byteLength;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      finished = true;
      req.end();
    };
    req.flushHeaders();
    pump();
  });
}

describe.each(majors)('%s', (_name, express) => {
  async function start(
    options: Partial<WebhooksOptions> & {
      setup?: Setup;
      middleware?: TogetherWebhooksOptions;
    } = {},
  ) {
    const runs: string[] = [];
    const errors: { error: unknown; context: WebhookErrorContext }[] = [];
    const { setup = 'none', middleware, ...webhookOptions } = options;
    const webhooks = createWebhooks({
      secret: TEST_SECRET,
      store: memoryStore(),
      onError: (error, context) => errors.push({ error, context }),
      ...webhookOptions,
    });
    webhooks.on('fine_tune.completed', (event) => {
      runs.push(event.data.model_output_name ?? '');
    });
    const app = express();
    const route = togetherWebhooks(webhooks, middleware);
    if (setup === 'json-first') app.use(express.json());
    if (setup === 'raw-other-type-first') app.use(express.raw());
    if (setup === 'raw-on-route') app.post('/webhooks', express.raw({ type: 'application/json' }), route);
    else if (setup === 'text-on-route') app.post('/webhooks', express.text({ type: 'application/json' }), route);
    else app.post('/webhooks', route);
    app.use(express.json());
    const server = createServer(app);
    servers.push(server);
    const sockets: Socket[] = [];
    server.on('connection', (socket) => sockets.push(socket));
    const url = `${await listen(server)}/webhooks`;
    /** Bytes the server took off the wire so far, headers included, over every connection. */
    const bytesRead = () => sockets.reduce((total, socket) => total + socket.bytesRead, 0);
    return { url, runs, errors, bytesRead };
  }

  // The client tries to send 64 MiB against a 4 KiB limit. The reader stops at content-length, or
  // at the first chunk past the limit, and leaves the stream paused; the answer says
  // `connection: close` and the server closes the socket, so the client cannot send the rest.
  // What the server reads stays within Node's socket reads and stream buffer (a few hundred KiB
  // here): far below what was sent, which a reader that drained or buffered the body would reach.
  it.each([
    ['from content-length alone, without waiting for the body', true],
    ['once a chunked body passes the limit, leaving the rest unread', false],
  ])('answers 413 %s', async (_case, declareLength) => {
    const { url, runs, bytesRead } = await start({ maxBodyBytes: 4096 });
    const delivery = signedDelivery();
    const answer = await postFlood(url, delivery.headers, 64 * MiB, declareLength);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ ok: false, outcome: 'rejected', error: 'payload_too_large' });
    expect(answer.headers.connection).toBe('close');
    expect(answer.finished, `the client sent all of the body (${answer.written} bytes)`).toBe(false);
    expect(answer.error).toMatch(/EPIPE|ECONNRESET|socket hang up/);
    expect(answer.written).toBeLessThan(32 * MiB);
    expect(bytesRead()).toBeLessThan(1 * MiB);
    expect(runs).toEqual([]);
  });

  it('answers 500 and names the fix when express.json() parsed the body first', async () => {
    const { url, runs, errors } = await start({ setup: 'json-first' });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ ok: false, outcome: 'failed' });
    expect(runs).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toEqual({ phase: 'adapter', outcome: 'failed' });
    const message = (errors[0]!.error as Error).message;
    expect(message).toContain('before app.use(express.json())');
    expect(message).toContain("express.raw({ type: 'application/json' })");
  });

  it.each<[Setup]>([['raw-on-route'], ['text-on-route'], ['raw-other-type-first']])(
    'verifies the body a parser left (%s)',
    async (setup) => {
      const { url, runs } = await start({ setup });
      const delivery = signedDelivery();
      const answer = await post(url, delivery.body, delivery.headers);
      expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
      expect(runs).toHaveLength(1);
    },
  );

  it('verifies the exact bytes: a signed body that is not UTF-8 is authentic but not an event (400)', async () => {
    const { url } = await start({ setup: 'raw-on-route' });
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x80, 0x7d]);
    const answer = await post(url, bytes, { 'content-type': 'application/json', ...sign(bytes, { secret: TEST_SECRET }) });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ outcome: 'rejected', error: 'invalid_payload' });
  });

  it.each<[string, () => IdempotencyStore, number, string, string]>([
    ['another delivery holds the claim', () => busyStore(2_500), 409, 'in_progress', '3'],
    ['the store is unreachable', unreachableStore, 503, 'store_unavailable', '5'],
  ])('answers with retry-after when %s', async (_case, store, status, outcome, retryAfter) => {
    const { url, runs } = await start({ store: store() });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ ok: false, outcome, id: delivery.id });
    expect(answer.headers.get('retry-after')).toBe(retryAfter);
    expect(runs).toEqual([]);
  });

  it('calls onResult before writing, and keeps headers set on res', async () => {
    const onResult = vi.fn<NonNullable<TogetherWebhooksOptions['onResult']>>((result, _req, res) => {
      res.setHeader('x-outcome', result.outcome);
    });
    const { url } = await start({ middleware: { onResult } });
    const delivery = signedDelivery();
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer.headers.get('x-outcome')).toBe('processed');
    expect(onResult).toHaveBeenCalledOnce();
    expect(onResult.mock.calls[0]![0]).toMatchObject({ status: 200, outcome: 'processed' });
  });
});
