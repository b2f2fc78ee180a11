/**
 * @module http — real HTTP requests from the tests: a plain POST, a request framed exactly as asked
 * (content-length or chunked, finished or left open), and a client that vanishes mid-body.
 */
import { request } from 'node:http';

/** What a test reads back from one delivery. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs `body` with `headers` to `url` (fetch) and parses the JSON answer. */
export async function post(url: string, body: BodyInit, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** How {@link sendRequest} puts a body on the wire. */
export interface WireOptions {
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** `content-length` (the default: the whole body's length) or `transfer-encoding: chunked`; written 1 KiB at a time. */
  framing?: 'content-length' | 'chunked';
  /**
   * Write only this many bytes of the body and leave the request open: an answer then proves the
   * server decided without the rest (from `content-length`, or at its limit).
   */
  sendOnly?: number;
}

/** What came back for a request sent with {@link sendRequest}. */
export interface WireAnswer {
  status: number;
  /** Lowercase names, repeated values joined with `, `. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Bytes of body this client had written when the answer began. */
  written: number;
}

const CHUNK = 1024;

/**
 * POSTs over node:http exactly as `options` say (the framing, how much of the body) and resolves
 * with the answer once it has arrived whole. Writing stops when the answer begins; a request left
 * open is then destroyed.
 *
 * @param url - where to POST
 * @param options - headers, body and framing
 * @returns the status, headers, JSON body and how much of the body was written
 */
export function sendRequest(url: string, options: WireOptions): Promise<WireAnswer> {
  const { framing = 'content-length', sendOnly } = options;
  const bytes = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const limit = Math.min(sendOnly ?? bytes.byteLength, bytes.byteLength);
  const framingHeader = framing === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(bytes.byteLength) };
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: { ...options.headers, ...framingHeader } });
    // A server that answered early may close the connection under the rest of the body.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.on('response', (res) => {
      answered = true;
      const writtenAtAnswer = written;
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (sendOnly !== undefined) req.destroy();
        const text = Buffer.concat(parts).toString('utf8');
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        try {
          resolve({ status: res.statusCode ?? 0, headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), written: writtenAtAnswer });
        } catch {
          reject(new Error(`the answer (${res.statusCode}) is not JSON: ${text.slice(0, 200)}`));
        }
      });
    });
    const writeFrom = (offset: number): void => {
      if (answered || req.destroyed) return;
      if (offset >= limit) {
        if (sendOnly === undefined) req.end();
        return;
      }
      const chunk = bytes.subarray(offset, Math.min(offset + CHUNK, limit));
      req.write(chunk, () => {
        written += chunk.byteLength;
        setImmediate(() => writeFrom(offset + chunk.byteLength));
      });
    };
    req.flushHeaders();
    writeFrom(0);
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
