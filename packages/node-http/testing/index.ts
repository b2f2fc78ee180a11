/**
 * @module @x/together-webhooks-node-http/testing — what the adapters' tests share: signed
 * deliveries built from a realistic event, loopback servers, stores that answer in_progress or
 * fail, and the README example extractor. Test-only, never built.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign, type IdempotencyStore } from '@x/together-webhooks-core';

/** The secret every adapter test signs with. */
export const TEST_SECRET = 'whsec_adapter_tests_only';

let sequence = 0;

/** A unique event id for this test run. */
export function nextEventId(prefix = 'evt'): string {
  sequence += 1;
  return `${prefix}_${process.pid}_${Date.now()}_${sequence}`;
}

/** A `fine_tune.completed` event (or another type) shaped like Together's. */
export function makeEvent(options: { id?: string; type?: string; padTo?: number } = {}): Record<string, unknown> {
  const id = options.id ?? nextEventId();
  const event: Record<string, unknown> = {
    id,
    type: options.type ?? 'fine_tune.completed',
    created: '2026-01-15T10:30:00.000Z',
    data: {
      id: 'ft-6a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b',
      status: 'completed',
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c',
      training_file: 'file-7d3e1a52-64f4-4fa6-9e3b-2b1f5f7c9d10',
      n_epochs: 3,
      epochs_completed: 3,
      token_count: 1_204_311,
      total_price: 1_830_000,
      created_at: '2026-01-15T09:02:11.000Z',
      updated_at: '2026-01-15T10:29:58.000Z',
    },
  };
  if (options.padTo !== undefined) {
    const size = JSON.stringify(event).length;
    if (size < options.padTo) (event.data as Record<string, unknown>).note = 'x'.repeat(options.padTo - size - 10);
  }
  return event;
}

/** A signed delivery: the body text and the headers a sender would put on it. */
export interface SignedDelivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

/** Signs `event` (default: a fresh `fine_tune.completed`) as Together would. */
export function signedDelivery(
  options: { event?: Record<string, unknown>; secret?: string; timestamp?: number } = {},
): SignedDelivery {
  const event = options.event ?? makeEvent();
  const body = JSON.stringify(event);
  const signOptions = options.timestamp === undefined ? { secret: options.secret ?? TEST_SECRET } : { secret: options.secret ?? TEST_SECRET, timestamp: options.timestamp };
  return {
    id: String(event.id),
    body,
    headers: { 'content-type': 'application/json', ...sign(body, signOptions) },
  };
}

/** Starts `server` on 127.0.0.1 on a free port and returns its base URL. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Stops `server`, dropping idle keep-alive connections. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/** What a test reads back from one delivery. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs `body` with `headers` to `url` over real HTTP and parses the JSON answer. */
export async function post(url: string, body: BodyInit, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A store whose claims are always held by another delivery. */
export function busyStore(retryAfterMs = 2_500): IdempotencyStore {
  return {
    claim: () => Promise.resolve({ state: 'in_progress', retryAfterMs }),
    renew: () => Promise.resolve(false),
    complete: () => Promise.resolve(false),
    release: () => Promise.resolve(false),
  };
}

/** A store whose backend is unreachable. */
export function unreachableStore(): IdempotencyStore {
  const down = (): Promise<never> => Promise.reject(new Error('store unreachable (test)'));
  return { claim: down, renew: down, complete: down, release: down };
}

/**
 * The fenced code block of a README that follows the line `<!-- <marker> -->`, so a test runs the
 * example users copy.
 */
export function readmeExample(readmePath: string, marker: string): string {
  const readme = readFileSync(readmePath, 'utf8');
  const pattern = new RegExp(`<!-- ${marker} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``);
  const match = pattern.exec(readme);
  if (!match?.[1]) throw new Error(`${readmePath} has no code block after <!-- ${marker} -->`);
  return match[1];
}

/**
 * Writes the README example after `<!-- <marker> -->`, compiled from TypeScript, into the
 * package's `.tmp/` folder (so it imports the built packages by name, as a user's app would) and
 * returns its path.
 */
export async function writeReadmeExample(packageDir: string, marker: string): Promise<string> {
  const { transform } = await import('esbuild');
  const { code } = await transform(readmeExample(`${packageDir}/README.md`, marker), { loader: 'ts', format: 'esm' });
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(`${packageDir}/.tmp`, { recursive: true });
  const file = `${packageDir}/.tmp/readme-${marker}.mjs`;
  writeFileSync(file, code);
  return file;
}

/** Waits until something accepts connections at `url` (a server a child process starts). */
export async function waitForServer(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`nothing listens at ${url}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A free loopback port (bound then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
export { postUnfinished, sendHalfThenVanish, type EarlyAnswer } from './partial.js';
