import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '@x/together-webhooks-core';

const here = fileURLToPath(new URL('..', import.meta.url));
const nextBin = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url));
const secret = 'whsec_example_next_test';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TOGETHER_WEBHOOK_SECRET: secret };

let server: ChildProcess | undefined;
let serverLog = '';
let base = '';

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function run(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [nextBin, ...args], { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`next ${args.join(' ')} exited with ${String(code)}:\n${output}`);
}

beforeAll(async () => {
  for (const built of ['../../../packages/next/dist/index.js', '../../../packages/core/dist/node/index.js']) {
    if (!existsSync(fileURLToPath(new URL(built, import.meta.url)))) throw new Error(`${built} is missing: run pnpm build first`);
  }
  await run(['build']);
  const port = await freePort();
  server = spawn(process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: here,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  while (!serverLog.includes('Ready')) {
    if (server.exitCode !== null) throw new Error(`next start exited:\n${serverLog}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill();
    await once(server, 'exit');
  }
});

function delivery(options: { timestamp?: number } = {}) {
  const id = `evt_next_${Date.now()}_${Math.random().toString(36).slice(2)}`;
  const body = JSON.stringify({ id, type: 'fine_tune.completed', created: new Date().toISOString(), data: { id: 'ft-next', status: 'completed' } });
  const headers = { 'content-type': 'application/json', ...sign(body, options.timestamp === undefined ? { secret } : { secret, timestamp: options.timestamp }) };
  return { id, body, headers };
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${base}${path}`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, contentType: response.headers.get('content-type') };
}

describe.each([
  ['App Router, nodejs runtime', '/api/webhooks/together'],
  ['App Router, edge runtime', '/api/webhooks/together-edge'],
  ['Pages Router, bodyParser: false', '/api/webhooks/together-pages'],
])('next start: %s', (_name, path) => {
  it('processes a valid delivery, then answers its duplicate', async () => {
    const d = delivery();
    const first = await post(path, d.body, d.headers);
    expect(first).toEqual({ status: 200, body: { ok: true, outcome: 'processed', id: d.id }, contentType: 'application/json; charset=utf-8' });
    const again = await post(path, d.body, d.headers);
    expect(again.body).toEqual({ ok: true, outcome: 'duplicate', id: d.id });
  });

  it('rejects a tampered body and a stale timestamp with 401', async () => {
    const d = delivery();
    const tampered = await post(path, d.body.replace('"completed"', '"running"'), d.headers);
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({ outcome: 'rejected', error: 'signature_mismatch' });
    const stale = delivery({ timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const old = await post(path, stale.body, stale.headers);
    expect(old.status).toBe(401);
    expect(old.body).toMatchObject({ outcome: 'rejected', error: 'timestamp_too_old' });
  });

  it('answers 413 for a body over maxBodyBytes', async () => {
    const d = delivery();
    const answer = await post(path, d.body.padEnd(1024 * 1024 + 1, ' '), d.headers);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ outcome: 'rejected', error: 'payload_too_large' });
  });
});

describe('next start: Pages Router with bodyParser left on', () => {
  it('answers 500 and logs the fix: export const config = { api: { bodyParser: false } }', async () => {
    const d = delivery();
    const answer = await post('/api/webhooks/body-parser-on', d.body, d.headers);
    expect(answer).toEqual({ status: 500, body: { ok: false, outcome: 'failed' }, contentType: 'application/json; charset=utf-8' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(serverLog).toContain('webhook error in adapter');
    expect(serverLog).toContain('export const config = { api: { bodyParser: false } }');
  });
});
