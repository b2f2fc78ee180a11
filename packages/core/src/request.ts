/**
 * @module request — reading a Fetch `Request` body once, as bytes, never past a limit.
 */
import { reject } from './errors.js';

// Fixed texts: a body that cannot be read is the sender's (or a proxy's) failure, answered 400.
const STREAM_FAILED = 'the request body could not be read: its stream failed before the end';
const NOT_BYTES = 'the request body stream yielded something other than bytes';

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
    throw new TypeError('the request body was already read: verify the Request before anything reads it');
  }
  // A missing or malformed length reads as 0 or NaN, which is never over the limit.
  if (Number(request.headers.get('content-length')) > maxBytes) return reject('payload_too_large');
  const stream = request.body;
  if (!stream) return new Uint8Array(await request.arrayBuffer().catch(() => reject('invalid_payload', STREAM_FAILED)));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: ReadableStreamReadResult<unknown>;
    try {
      next = await reader.read();
    } catch {
      return reject('invalid_payload', STREAM_FAILED);
    }
    if (next.done) break;
    const chunk = next.value;
    // A view from another realm (an edge sandbox) is still bytes; anything else is not.
    if (!ArrayBuffer.isView(chunk)) return abandon(reader, 'invalid_payload', NOT_BYTES);
    total += chunk.byteLength;
    if (total > maxBytes) return abandon(reader, 'payload_too_large');
    chunks.push(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
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

// Stops reading and rejects at once: the cancel runs in the background, since a runtime may
// never settle it, and its own failure means nothing more to this delivery.
function abandon(reader: ReadableStreamDefaultReader<unknown>, ...rejection: Parameters<typeof reject>): never {
  try {
    reader.cancel().catch(() => undefined);
  } catch {
    // A cancel that throws at once is as good as one that never settles.
  }
  return reject(...rejection);
}
