/**
 * @module request — reading a Fetch `Request` body once, as bytes, never past a limit.
 */
import { concatBytes } from '#crypto';
import { reject } from './errors.js';

// A body that cannot be read is the sender's (or a proxy's) failure, answered 400.
const UNREADABLE = 'body stream failed';

/**
 * Reads `request`'s body as bytes, rejecting with `payload_too_large` as soon as it is known to
 * exceed `maxBytes` (from `content-length`, or while streaming), so an oversized body is never
 * buffered whole. A stream that fails or yields anything but bytes rejects with
 * `invalid_payload`: never a foreign error, and never a wait on the stream's `cancel()`, which
 * some runtimes never settle (Next.js's edge runtime).
 * @internal
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  // A consumed body would read as empty and look forged: say what happened instead.
  if (request.bodyUsed) {
    throw new TypeError('Request body already read: verify first');
  }
  // A missing or malformed length reads as 0 or NaN, which is never over the limit.
  if (Number(request.headers.get('content-length')) > maxBytes) return reject('payload_too_large');
  const stream = request.body;
  // No stream is no body: the bytes of an empty body.
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let code: 'invalid_payload' | 'payload_too_large' | undefined;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const chunk: unknown = next.value;
      // A view from another realm (an edge sandbox) is still bytes; anything else is not. Its
      // byteLength counts bytes whatever the element type, so the limit holds.
      if (!ArrayBuffer.isView(chunk)) code = 'invalid_payload';
      else if ((total += chunk.byteLength) > maxBytes) code = 'payload_too_large';
      else {
        chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        continue;
      }
      // Stop reading. The cancel is never awaited: some runtimes never settle it (Next.js edge).
      reader.cancel().catch(() => undefined);
      break;
    }
  } catch {
    // The stream failed (or its cancel() threw at once, which is as good as one that never settles).
    code ??= 'invalid_payload';
  }
  if (code) return reject(code, code === 'invalid_payload' ? UNREADABLE : undefined);
  // One chunk (most small bodies) is the body as it is: no copy.
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
}
