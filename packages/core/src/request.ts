/**
 * @module request — reading a Fetch `Request` body once, as bytes, never past a limit.
 */
import { reject } from './errors.js';

/**
 * Reads `request`'s body as bytes, rejecting with `payload_too_large` as soon as it is known to
 * exceed `maxBytes` (from `content-length`, or while streaming), so an oversized body is never
 * buffered whole.
 * @internal
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  // A consumed body would read as empty and look forged: say what happened instead.
  if (request.bodyUsed) {
    throw new TypeError('the request body was already read: verify the Request before anything reads it');
  }
  // A missing or malformed length reads as 0 or NaN, which is never over the limit.
  if (Number(request.headers.get('content-length')) > maxBytes) return reject('payload_too_large');
  const stream = request.body;
  if (!stream) return new Uint8Array(await request.arrayBuffer());
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return reject('payload_too_large');
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
