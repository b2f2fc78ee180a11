import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Webhooks } from '@x/together-webhooks-core';

/** How the receiver answers before it lets a delivery through to the pipeline. */
export interface Interference {
  /** Answer `status` to this many deliveries first. */
  times: number;
  status: number;
  retryAfter?: string;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

export interface ReceiverServer {
  url: string;
  /** Every delivery that arrived, with the status it got. */
  deliveries: { id: string | undefined; status: number; at: number; signature: string | undefined; traceparent: string | undefined }[];
  interfere(interference: Interference): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Uint8Array> => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks);
};

/** A node:http server running `webhooks.handle()` on every POST, on 127.0.0.1. */
export async function startReceiver(webhooks: Webhooks): Promise<ReceiverServer> {
  const deliveries: ReceiverServer['deliveries'] = [];
  const interferences: Interference[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const at = Date.now();
      // The envelope carries the id (the default scheme); Standard Webhooks puts it in webhook-id.
      const id = (JSON.parse(Buffer.from(body).toString('utf8')) as { id?: string }).id ?? (req.headers['webhook-id'] as string | undefined);
      const signature = (req.headers['x-together-signature'] ?? req.headers['webhook-signature']) as string | undefined;
      const traceparent = req.headers.traceparent as string | undefined;
      const interference = interferences[0];
      if (interference) {
        if (--interference.times === 0) interferences.shift();
        if (interference.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, interference.delayMs));
        deliveries.push({ id, status: interference.status, at, signature, traceparent });
        if (res.destroyed) return;
        res.writeHead(interference.status, interference.retryAfter === undefined ? {} : { 'retry-after': interference.retryAfter });
        res.end();
        return;
      }
      const result = await webhooks.handle({ body, headers: req.headers });
      deliveries.push({ id, status: result.status, at, signature, traceparent });
      res.writeHead(result.status, result.headers);
      res.end(JSON.stringify(result.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/together`,
    deliveries,
    interfere: (interference) => interferences.push(interference),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
