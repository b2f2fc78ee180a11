/**
 * @module receiver — a local webhook receiver: the core's pipeline with a memory store, served by
 * node:http on the loopback interface, reporting each delivery as it is answered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhooks, memoryStore, type TogetherEvent, type WebhookResult, type WebhookScheme } from '@x/together-webhooks-core';
import { nodeAdapterResult, writeResult } from '@x/together-webhooks-node-http';

/** One delivery, as answered. */
export interface Delivery {
  at: Date;
  method: string;
  path: string;
  result: WebhookResult;
  ms: number;
}

/** Options of {@link startReceiver}. */
export interface ReceiverOptions {
  secrets: readonly string[];
  /** The scheme deliveries are signed with. */
  scheme: WebhookScheme;
  port: number;
  path: string;
  /** How long the handler works on each event, to make concurrent duplicates visible. */
  delayMs: number;
  onDelivery(delivery: Delivery): void;
  onError(error: unknown, event: TogetherEvent | undefined): void;
}

/** A running receiver. */
export interface Receiver {
  url: URL;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/**
 * Starts a receiver on 127.0.0.1.
 *
 * @param options - secrets and scheme, port (0 picks a free one), path, handler delay and reporting hooks
 * @returns the receiver's URL and a `close` that ends open connections too
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const webhooks = createWebhooks({
    secret: options.secrets,
    scheme: options.scheme,
    store: memoryStore(),
    onError: (error, context) => options.onError(error, context.event),
  });
  webhooks.onAny(async (_event, { signal }) => {
    if (options.delayMs > 0) await delay(options.delayMs, signal);
  });

  const server = createServer((req, res) => {
    const started = performance.now();
    const path = new URL(req.url ?? '/', `http://${HOST}`).pathname;
    const answer = (result: WebhookResult) => {
      writeResult(res, result);
      options.onDelivery({ at: new Date(), method: req.method ?? '', path, result, ms: performance.now() - started });
    };
    if (path !== options.path) {
      res.writeHead(404, JSON_TYPE).end(JSON.stringify({ ok: false, error: 'not_found', message: `deliveries go to ${options.path}` }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { ...JSON_TYPE, allow: 'POST' }).end(JSON.stringify({ ok: false, error: 'method_not_allowed' }));
      return;
    }
    void nodeAdapterResult(webhooks, req, undefined, 'the request body was already read').then((result) => {
      // Undefined: the client went away mid-body (reported through onError); nothing to answer.
      if (result === undefined) res.destroy();
      else answer(result);
    });
  });

  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://${HOST}:${port}${options.path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('the claim was lost'));
      },
      { once: true },
    );
  });
}
