/**
 * @module read-body — reads a Node request stream as bytes, never past a limit.
 */
import type { IncomingMessage } from 'node:http';
import { WebhookVerificationError } from '@x/together-webhooks-core';
import { ClientAbortedError } from './client-aborted.js';

const DIGITS = /^[0-9]+$/;

/**
 * Reads `req`'s body as bytes. Rejects with a `payload_too_large` {@link WebhookVerificationError}
 * as soon as the body is known to exceed `maxBytes`: from `content-length` before reading
 * anything, or at the first chunk past the limit, after which the stream is left paused (the
 * rest is never buffered). Chunks are kept as bytes and joined once. Rejects with a
 * {@link ClientAbortedError} when the client goes away before the body ends.
 *
 * @param req - the request, not yet read by anything else
 * @param maxBytes - the largest body accepted
 * @returns the body, exactly as received
 */
export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && DIGITS.test(declared) && Number(declared) > maxBytes) {
    return Promise.reject(new WebhookVerificationError('payload_too_large'));
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let ended = false;
    // Listeners stay attached: they die with the request, and settling twice is a no-op.
    const onData = (chunk: Uint8Array): void => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(new WebhookVerificationError('payload_too_large'));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    // No 'error' listener: Node emits a request's 'error' only to listeners, and 'close' always
    // follows, so a client that goes away mid-body shows as 'close' without 'end'.
    req.on('close', () => {
      if (!ended) reject(new ClientAbortedError());
    });
  });
}
