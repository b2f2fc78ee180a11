/**
 * A real HTTP server in front of `webhooks.handle()`: the raw body bytes and the headers in, the
 * result's status, headers and JSON body out, as every adapter does.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Webhooks } from '@x/together-webhooks-core';

/** A listening server. */
export interface WebhookServer {
  readonly url: string;
  close(): Promise<void>;
}

async function rawBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of request) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
}

/** Serves `webhooks` on 127.0.0.1 and a free port. */
export async function serveWebhooks(webhooks: Webhooks): Promise<WebhookServer> {
  const server = createServer((request, response) => {
    void rawBody(request)
      .then((body) => webhooks.handle({ body, headers: request.headers }))
      .then((result) => {
        response.writeHead(result.status, result.headers);
        response.end(JSON.stringify(result.body));
      })
      .catch(() => {
        response.writeHead(500);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
