/**
 * Cloudflare's workerd, driven directly: the worker is bundled the way wrangler bundles
 * (conditions workerd, worker, browser: the portable build), served on a free loopback port, and
 * sent real signed deliveries over HTTP, in both schemes, that it checks with `verify(request)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, standardWebhooksScheme } from '@x/together-webhooks-core';
import {
  bundle,
  expectAgreement,
  expectConformance,
  freePort,
  here,
  isCI,
  logRow,
  missing,
  nodeSignedDelivery,
  packageBinary,
  packageVersion,
  stop,
  tempDir,
  type ConformanceReport,
} from './support.js';

const workerd = packageBinary('workerd');
const SECRET = 'whsec_workerd_delivery_secret';
const STANDARD_SECRET = 'whsec_FDMYh9/6DG0WTI7gNmDBLQVwI7hD8UFg';
const STANDARD_OLD_SECRET = 'whsec_aUEceo5Mdr9h3pEBFNuPmuDH+/o3H2jwzDflnPB05aA=';

/** The capnp config: one worker, one loopback socket, and no outbound network at all. */
function config(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .conformanceWorker),
    (name = "nowhere", network = (allow = [])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const conformanceWorker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.mjs") ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "nowhere",
  bindings = [
    (name = "WEBHOOK_SECRET", text = "${SECRET}"),
    (name = "STANDARD_WEBHOOKS_SECRET", text = "${STANDARD_SECRET}"),
  ],
);
`;
}

/** Starts workerd and resolves once it answers; rejects if it exits or is not up within 20 s. */
async function start(dir: string, port: number, log: { text: string }): Promise<ChildProcess> {
  writeFileSync(join(dir, 'config.capnp'), config(port));
  const child = spawn(workerd!, ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log.text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log.text += chunk));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}: ${log.text}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop(child);
  throw new Error(`workerd did not answer on 127.0.0.1:${port} within 20 s: ${log.text}`);
}

describe.skipIf(!workerd && !isCI)('workerd', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  const log = { text: '' };
  let child: ChildProcess | undefined;
  let origin = '';

  beforeAll(async () => {
    if (!workerd) throw missing('workerd', 'pnpm install in runtimes/ with workerd in onlyBuiltDependencies');
    dir = tempDir('workerd');
    const code = await bundle('harness/worker.mjs', {
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'browser'],
    });
    writeFileSync(join(dir.path, 'worker.mjs'), code);
    const { path } = dir;
    // The port was free when chosen; another process may take it first, so try a few.
    for (let attempt = 1; !child; attempt++) {
      const port = await freePort();
      try {
        child = await start(path, port, log);
        origin = `http://127.0.0.1:${port}`;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  });

  afterAll(async () => {
    await stop(child);
    dir?.remove();
  });

  it('runs the portable build inside the worker: every vector passes, and it agrees with Node', async () => {
    const fromNode = nodeSignedDelivery('workerd');
    const response = await fetch(`${origin}/report`, { method: 'POST', body: JSON.stringify(fromNode) });
    expect(response.status, log.text).toBe(200);
    const report = (await response.json()) as ConformanceReport;
    expectConformance(report, '@noble/hashes', 'workerd');
    await expectAgreement(report, fromNode);
    logRow('workerd', packageVersion(here('node_modules/workerd/package.json')), report);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const event = JSON.stringify({
    id: 'evt_workerd_delivery',
    type: 'endpoint.started',
    created: new Date().toISOString(),
    data: { id: 'endpoint-1', object: 'endpoint', state: 'STARTED' },
  });
  const signed = (body: string | Uint8Array, timestamp = now()) => sign(body, { secret: SECRET, timestamp });
  const tampered = event.replace('STARTED', 'STOPPED');

  it.each([
    { what: 'a valid delivery', body: event, headers: () => signed(event), status: 200, outcome: { outcome: 'verified', id: 'evt_workerd_delivery' } },
    { what: 'a changed body', body: tampered, headers: () => signed(event), status: 401, outcome: { code: 'signature_mismatch' } },
    { what: 'a replay 10 minutes old', body: event, headers: () => signed(event, now() - 600), status: 401, outcome: { code: 'timestamp_too_old' } },
    { what: 'a timestamp 10 minutes ahead', body: event, headers: () => signed(event, now() + 600), status: 401, outcome: { code: 'timestamp_in_future' } },
    { what: 'no signature header', body: event, headers: () => ({ 'x-together-timestamp': String(now()) }), status: 401, outcome: { code: 'missing_signature' } },
    { what: 'an authentic body that is not JSON', body: 'not json', headers: () => signed('not json'), status: 400, outcome: { code: 'invalid_payload' } },
    {
      what: 'a body over the 1 MiB default',
      body: 'x'.repeat(1024 * 1024 + 1),
      headers: () => ({ 'x-together-signature': '00'.repeat(32), 'x-together-timestamp': String(now()) }),
      status: 413,
      outcome: { code: 'payload_too_large' },
    },
  ])('answers $status to $what sent over loopback HTTP', async ({ body, headers, status, outcome }) => {
    const response = await fetch(`${origin}/webhook`, { method: 'POST', body, headers: headers() });
    expect(response.status, log.text).toBe(status);
    expect(await response.json()).toMatchObject({ ...outcome, cryptoBackend: '@noble/hashes' });
  });

  const scheme = standardWebhooksScheme();
  const created = new Date().toISOString();
  const payload = JSON.stringify({ type: 'endpoint.started', timestamp: created, data: { id: 'endpoint-1', object: 'endpoint', state: 'STARTED' } });
  const messageId = 'msg_workerd_delivery';
  type Signed = Record<string, string>;
  const standard = (body: string, { secret = STANDARD_SECRET, timestamp = now() }: { secret?: string | string[]; timestamp?: number } = {}): Signed =>
    sign(body, { secret, scheme, id: messageId, timestamp });
  /** The valid delivery's headers, its signature header rewritten. */
  const withSignature = (signature: (valid: string) => string, secret?: string[]) => (): Signed => {
    const headers = standard(payload, secret ? { secret } : {});
    return { ...headers, 'webhook-signature': signature(headers['webhook-signature']!) };
  };
  const without = (name: string) => (): Signed => Object.fromEntries(Object.entries(standard(payload)).filter(([key]) => key !== name));
  const fake = (n: number) => `v1,${Buffer.alloc(32, n).toString('base64')}`;
  const rejected = (code: string) => ({ outcome: 'rejected', code });

  it.each([
    { what: 'a valid delivery', body: payload, headers: () => standard(payload), status: 200, outcome: { outcome: 'verified', id: messageId, type: 'endpoint.started', created } },
    {
      what: 'entries of other versions around those of a sender rotating its secret',
      body: payload,
      headers: withSignature((both) => `v1a,${Buffer.alloc(64, 1).toString('base64')} ${both} v2,x`, [STANDARD_OLD_SECRET, STANDARD_SECRET]),
      status: 200,
      outcome: { outcome: 'verified', id: messageId },
    },
    { what: 'a changed body', body: payload.replace('STARTED', 'STOPPED'), headers: () => standard(payload), status: 401, outcome: rejected('signature_mismatch') },
    {
      what: 'another webhook-id than the one signed',
      body: payload,
      headers: () => ({ ...standard(payload), 'webhook-id': 'msg_other' }),
      status: 401,
      outcome: rejected('signature_mismatch'),
    },
    { what: 'another secret', body: payload, headers: () => standard(payload, { secret: STANDARD_OLD_SECRET }), status: 401, outcome: rejected('signature_mismatch') },
    {
      what: 'the valid entry as the 9th',
      body: payload,
      headers: withSignature((valid) => [...[1, 2, 3, 4, 5, 6, 7, 8].map(fake), valid].join(' ')),
      status: 401,
      outcome: rejected('signature_mismatch'),
    },
    { what: 'a replay 10 minutes old', body: payload, headers: () => standard(payload, { timestamp: now() - 600 }), status: 401, outcome: rejected('timestamp_too_old') },
    { what: 'a timestamp 10 minutes ahead', body: payload, headers: () => standard(payload, { timestamp: now() + 600 }), status: 401, outcome: rejected('timestamp_in_future') },
    { what: 'no webhook-id', body: payload, headers: without('webhook-id'), status: 401, outcome: rejected('missing_id') },
    { what: 'no webhook-signature', body: payload, headers: without('webhook-signature'), status: 401, outcome: rejected('missing_signature') },
    { what: 'no webhook-timestamp', body: payload, headers: without('webhook-timestamp'), status: 401, outcome: rejected('missing_timestamp') },
    { what: 'an authentic body that is not an event', body: '{"test": 1}', headers: () => standard('{"test": 1}'), status: 400, outcome: rejected('invalid_payload') },
    {
      what: 'a body over the 1 MiB default',
      body: 'x'.repeat(1024 * 1024 + 1),
      headers: () => ({ 'webhook-id': messageId, 'webhook-signature': fake(0), 'webhook-timestamp': String(now()) }),
      status: 413,
      outcome: rejected('payload_too_large'),
    },
  ])('Standard Webhooks: answers $status to $what sent over loopback HTTP', async ({ body, headers, status, outcome }) => {
    const response = await fetch(`${origin}/webhook/standard-webhooks`, { method: 'POST', body, headers: headers() });
    expect(response.status, log.text).toBe(status);
    expect(await response.json()).toMatchObject({ ...outcome, cryptoBackend: '@noble/hashes' });
  });
});
