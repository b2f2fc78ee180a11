/**
 * A loopback TCP proxy in front of PostgreSQL that counts round trips: a round trip starts each
 * time the client sends after the server last spoke (or first). The wire protocol's server buffers
 * its answers until the client's Sync or Flush, so this counts exactly the waits a client makes,
 * whatever the client library does above the socket.
 */
import { createConnection, createServer, type Socket } from 'node:net';

/** A running proxy. */
export interface RoundTripProxy {
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  /** Round trips so far, over every connection. */
  readonly roundTrips: number;
  close(): Promise<void>;
}

/** Starts a proxy to `127.0.0.1:<targetPort>` on a free loopback port. */
export async function startRoundTripProxy(targetPort: number): Promise<RoundTripProxy> {
  let roundTrips = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    let clientSpokeLast = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => {
      if (!clientSpokeLast) roundTrips++;
      clientSpokeLast = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      clientSpokeLast = false;
      client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url(url) {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    get roundTrips() {
      return roundTrips;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
