/**
 * A real HTTP server in front of a receiver: an Express app with the Express adapter on
 * `POST /webhooks`, as an app deploys it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Webhooks } from '@x/together-webhooks-core';
import { togetherWebhooks } from '@x/together-webhooks-express';

/** A listening server. */
export interface WebhookServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `webhooks` on 127.0.0.1 and a free port. */
export async function serveWebhooks(webhooks: Webhooks): Promise<WebhookServer> {
  const app = express();
  app.post('/webhooks', togetherWebhooks(webhooks));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
