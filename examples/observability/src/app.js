/**
 * The Express example (examples/express) with telemetry: `openTelemetry()` as the receiver's
 * `telemetry` option, and a handler whose own span is a child of the delivery's.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import express from 'express';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-express';
import { openTelemetry } from '@x/together-webhooks-otel';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

/** The path deliveries are posted to. */
export const WEBHOOK_PATH = '/webhooks/together';

const tracer = trace.getTracer('example-app');

/**
 * Builds the app.
 *
 * @param {{ secret?: string }} [options]
 */
export function createApp(options = {}) {
  const { secret = DEV_SECRET } = options;
  const webhooks = createWebhooks({ secret, store: memoryStore(), telemetry: openTelemetry() });

  webhooks.on('fine_tune.completed', (event) =>
    // The app's own work: a span inside the delivery's "process fine_tune.completed" span.
    tracer.startActiveSpan('deploy model', (span) => {
      span.setAttribute('model', event.data.model_output_name ?? '');
      span.end();
    }),
  );

  const app = express();
  // The webhook route comes before express.json(): it needs the raw bytes the signature covers.
  app.post(WEBHOOK_PATH, togetherWebhooks(webhooks));
  return { app, webhooks };
}

/**
 * Starts the app on 127.0.0.1.
 *
 * @param {{ port?: number, secret?: string }} [options] - port 0 picks a free one
 */
export async function start(options = {}) {
  const { port = 0, ...appOptions } = options;
  const { app } = createApp(appOptions);
  const server = createServer(app);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { server, url: `http://127.0.0.1:${address.port}${WEBHOOK_PATH}` };
}
