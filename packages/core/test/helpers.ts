/**
 * @module helpers — shared fixtures for the verification tests. Written for every runtime the
 * suite runs in (no Node `Buffer`, no `node:` modules), since the edge project runs it too.
 */
import { expect } from 'vitest';
import { sign, WebhookVerificationError, type WebhookVerificationErrorCode } from '@x/together-webhooks-core';
import asciiJson from './vectors/ascii-json.json';
import emptyBody from './vectors/empty-body.json';
import invalidUtf8 from './vectors/invalid-utf8.json';
import large64k from './vectors/large-64k.json';
import longSecret from './vectors/long-secret.json';
import unicodeJson from './vectors/unicode-json.json';
import unicodeSecret from './vectors/unicode-secret.json';

export const SECRET = 'whsec_test_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const OTHER_SECRET = 'whsec_other_C2FVsBQIhrscChlQIMV';
/** A fixed signing time, Unix seconds. */
export const TIMESTAMP = 1_736_937_000;
/** `now` for a verifier whose clock reads `TIMESTAMP + offsetSeconds`. */
export const clockAt =
  (offsetSeconds = 0) =>
  (): number =>
    (TIMESTAMP + offsetSeconds) * 1000;

export interface Vector {
  name: string;
  description: string;
  secret: string;
  timestamp: number;
  body: Uint8Array;
  signature: string;
  /** The body as text, when its bytes are valid UTF-8 (so a string body is the same bytes). */
  text: string | undefined;
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export const vectors: readonly Vector[] = Object.entries({
  'ascii-json': asciiJson,
  'unicode-json': unicodeJson,
  'invalid-utf8': invalidUtf8,
  'empty-body': emptyBody,
  'large-64k': large64k,
  'unicode-secret': unicodeSecret,
  'long-secret': longSecret,
}).map(([name, { bodyBase64, ...rest }]) => {
  const body = base64ToBytes(bodyBase64);
  return { name, ...rest, body, text: strictUtf8(body) };
});

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A fresh copy of `bytes` in an `ArrayBuffer` of exactly its length. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** A realistic event body. */
export function eventBody(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'evt_01JH7Q8M2K',
    type: 'fine_tune.completed',
    created: '2025-01-15T10:30:00Z',
    data: { id: 'ft-3b6f1c2e', status: 'completed', model_output_name: 'acme/Llama-3-8B-ft' },
    ...fields,
  });
}

/** A delivery of `body` signed with `secret` at `timestamp`, headers as a plain object. */
export function signed(
  body: string | Uint8Array = eventBody(),
  { secret = SECRET, timestamp = TIMESTAMP }: { secret?: string; timestamp?: number } = {},
): { body: string | Uint8Array; headers: Record<string, string>; signature: string } {
  const headers = sign(body, { secret, timestamp });
  return { body, headers, signature: headers['x-together-signature'] };
}

/** Runs `action` and returns what it threw, failing the test when it did not throw. */
export function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a throw');
}

export async function caughtAsync(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a rejection');
}

/** Asserts `error` is a {@link WebhookVerificationError} with `code`, and returns it. */
export function expectCode(error: unknown, code: WebhookVerificationErrorCode): WebhookVerificationError {
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).code).toBe(code);
  return error as WebhookVerificationError;
}

/** Flips one bit of a copy of `bytes`. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
