/**
 * Cloudflare's workerd, driven directly: the worker is bundled the way wrangler bundles
 * (conditions workerd, worker, browser: the portable build), served on a free loopback port, and
 * sent real signed deliveries over HTTP that it checks with `verify(request)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '@x/together-webhooks-core';
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
  bindings = [ (name = "WEBHOOK_SECRET", text = "${SECRET}") ],
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
});
