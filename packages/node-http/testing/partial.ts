import { request } from 'node:http';

/** What came back for a request whose body was never finished. */
export interface EarlyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** Bytes of body this client had written when the answer arrived. */
  written: number;
}

/**
 * POSTs a body that is never finished: `chunks` are written one at a time and the request is left
 * open, so an answer proves the server decided without reading the whole body. With
 * `declaredLength`, a `content-length` larger than what is written announces the size.
 */
export function postUnfinished(
  url: string,
  headers: Record<string, string>,
  chunks: Uint8Array[],
  declaredLength?: number,
): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = request(url, {
      method: 'POST',
      headers: declaredLength === undefined ? { ...headers, 'transfer-encoding': 'chunked' } : { ...headers, 'content-length': String(declaredLength) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>,
          written,
        });
      });
    });
    const writeNext = (index: number): void => {
      const chunk = chunks[index];
      if (!chunk) return;
      req.write(chunk, () => {
        written += chunk.byteLength;
        setImmediate(() => writeNext(index + 1));
      });
    };
    req.flushHeaders();
    writeNext(0);
  });
}

/**
 * Sends the headers and half of a 1000-byte body, waits until `arrived` settles (the server holds
 * the request), then destroys the socket: a client that goes away mid-body.
 */
export async function sendHalfThenVanish(url: string, arrived: Promise<unknown>): Promise<void> {
  const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
  req.on('error', () => undefined);
  req.write(new Uint8Array(500).fill(0x20));
  await arrived;
  req.destroy();
}
