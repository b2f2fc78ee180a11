/**
 * @module fetch-listener — serves a Fetch handler (`(request) => Response`, such as a Next.js App
 * Router route) from node:http, the way a platform would: the request body streamed, not buffered.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A node:http request listener that hands each request to `handler` as a `Request` whose body
 * streams from the socket, and writes the `Response` back.
 *
 * @param handler - the Fetch handler; `undefined` answers 404 (no route)
 * @returns the listener for `createServer`
 */
export function fetchListener(handler: (request: Request, path: string) => Promise<Response> | undefined): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers };
    if (hasBody) {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    const answer = handler(new Request(url, init), url.pathname);
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    answer.then(
      async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), 'content-length': body.byteLength });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      },
    );
  };
}
