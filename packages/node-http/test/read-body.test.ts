import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookVerificationError } from '@x/together-webhooks-core';
import { readRawBody } from '@x/together-webhooks-node-http';
import { close, listen } from '@x/together-webhooks-test-support';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** Starts a server whose handler hands each request to `read`, and returns what it settled with. */
async function serve(maxBytes: number) {
  const settled: Promise<Uint8Array>[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const body = readRawBody(req, maxBytes);
    settled.push(body);
    body.then(
      (bytes) => res.end(String(bytes.byteLength)),
      () => res.writeHead(413, { connection: 'close' }).end(),
    );
  });
  servers.push(server);
  return { url: await listen(server), settled };
}

function send(url: string, chunks: Uint8Array[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readRawBody', () => {
  it('returns the exact bytes, joined once across chunks', async () => {
    const { url, settled } = await serve(1 << 20);
    const chunks = [new Uint8Array([0xff, 0x00, 0x7b]), new Uint8Array(70_000).fill(0xc3), new Uint8Array([0x28, 0xfe])];
    expect(await send(url, chunks, { 'transfer-encoding': 'chunked' })).toBe(200);
    const body = await settled[0]!;
    expect(Buffer.from(body).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('returns an empty body as zero bytes', async () => {
    const { url, settled } = await serve(16);
    expect(await send(url, [], { 'content-length': '0' })).toBe(200);
    expect((await settled[0]!).byteLength).toBe(0);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const { url, settled } = await serve(1024);
    expect(await send(url, [new Uint8Array(1024)])).toBe(200);
    expect((await settled[0]!).byteLength).toBe(1024);
  });

  it.each([
    ['announced by content-length', { 'content-length': String(1025) }],
    ['found while streaming (chunked)', { 'transfer-encoding': 'chunked' }],
  ])('rejects one byte over maxBytes, %s, with payload_too_large', async (_case, headers) => {
    const { url, settled } = await serve(1024);
    expect(await send(url, [new Uint8Array(512), new Uint8Array(513)], headers)).toBe(413);
    const error = await settled[0]!.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ code: 'payload_too_large', status: 413 });
  });

  it('rejects when the client goes away mid-body', async () => {
    const { url, settled } = await serve(1 << 20);
    const req = request(url, { method: 'POST', headers: { 'content-length': '1000' } });
    req.on('error', () => undefined);
    req.write(new Uint8Array(100));
    while (settled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    req.destroy();
    await expect(settled[0]!).rejects.toThrow();
  });
});
