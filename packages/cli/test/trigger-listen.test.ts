import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@x/together-webhooks-test-support';
import { BIN, jsonLines, run, SECRET, STANDARD_SECRET, start, startListen, stop, waitForOutput, tempDir } from './helpers.js';

const secretEnv = { TOGETHER_WEBHOOK_SECRET: SECRET };

interface TriggerJson {
  ok: boolean;
  scheme: string;
  id: string;
  counts: Record<string, number>;
  requests: { n: number; status?: number; outcome?: string; error?: string; ms: number; expected: boolean; reason?: string }[];
}

async function triggerJson(args: string[], env: Record<string, string> = secretEnv) {
  const result = await run(['trigger', ...args, '--json'], { env });
  return { ...result, json: JSON.parse(result.stdout) as TriggerJson };
}

describe('trigger against listen', () => {
  it('a valid delivery is processed, and listen prints it with its outcome', async () => {
    const listener = await startListen([], { env: secretEnv });
    const result = await run(['trigger', 'fine_tune.completed', '--url', listener.url], { env: secretEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/→ fine_tune\.completed evt_[0-9a-f]{24} to http:\/\/127\.0\.0\.1:\d+\/webhooks/);
    expect(result.stdout).toMatch(/✓ #1 {2}200 {2}processed +\d+\.\d ms/);
    expect(result.stdout).toMatch(/1 request: 1 processed — as expected/);
    expect(result.stderr).toBe('');

    const id = /evt_[0-9a-f]{24}/.exec(result.stdout)![0];
    await listener.waitFor(new RegExp(`200 processed +fine_tune\\.completed ${id}`));
    // The first handling is printed whole: the Together resource, in its state.
    expect(listener.stdout()).toContain('"status": "completed"');
    expect(listener.stdout()).toMatch(/"id": "ft-[0-9a-f-]{36}"/);
  });

  it('--repeat 5 --concurrency 5: exactly one processed, the rest duplicate or in_progress', async () => {
    const listener = await startListen(['--json'], { env: secretEnv });
    const { code, json } = await triggerJson(['batch.completed', '--url', listener.url, '--repeat', '5', '--concurrency', '5']);
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.requests).toHaveLength(5);
    const outcomes = json.requests.map((request) => request.outcome);
    expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
    expect(outcomes.every((outcome) => ['processed', 'duplicate', 'in_progress'].includes(outcome ?? ''))).toBe(true);
    for (const request of json.requests) {
      expect(request.status).toBe(request.outcome === 'in_progress' ? 409 : 200);
      expect(request.ms).toBeGreaterThan(0);
    }

    await listener.waitFor((output) => output.split('"event":"delivery"').length - 1 === 5);
    const deliveries = jsonLines(listener.stdout()).filter((line) => line.event === 'delivery');
    expect(deliveries.filter((line) => line.outcome === 'processed')).toHaveLength(1);
    expect(new Set(deliveries.map((line) => line.id))).toEqual(new Set([json.id]));
  });

  it('with a slow handler, concurrent duplicates wait: 409 in_progress, still exactly one processed', async () => {
    const listener = await startListen(['--json', '--delay', '3000'], { env: secretEnv });
    const { code, json } = await triggerJson(['evaluation.completed', '--url', listener.url, '--repeat', '4', '--concurrency', '4']);
    expect(code).toBe(0);
    expect(json.counts).toEqual({ processed: 1, in_progress: 3 });
  });

  it('one after another (the default): processed, then duplicates', async () => {
    const listener = await startListen([], { env: secretEnv });
    const { code, json } = await triggerJson(['video.completed', '--url', listener.url, '--repeat', '3']);
    expect(code).toBe(0);
    expect(json.requests.map((request) => request.outcome)).toEqual(['processed', 'duplicate', 'duplicate']);
  });

  it('--tamper: 401 rejected signature_mismatch, which is what a correct receiver says (exit 0)', async () => {
    const listener = await startListen([], { env: secretEnv });
    const result = await run(['trigger', 'batch.failed', '--url', listener.url, '--tamper'], { env: secretEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\(tampered\)/);
    expect(result.stdout).toMatch(/✓ #1 {2}401 {2}rejected signature_mismatch/);
    await listener.waitFor(/401 rejected +signature_mismatch/);
  });

  it('--stale 600: 401 rejected timestamp_too_old; --stale=-600: timestamp_in_future', async () => {
    const listener = await startListen([], { env: secretEnv });
    const old = await triggerJson(['endpoint.started', '--url', listener.url, '--stale', '600']);
    expect(old.code).toBe(0);
    expect(old.json.requests[0]).toMatchObject({ status: 401, outcome: 'rejected', error: 'timestamp_too_old', expected: true });
    const future = await triggerJson(['endpoint.started', '--url', listener.url, '--stale=-600']);
    expect(future.code).toBe(0);
    expect(future.json.requests[0]).toMatchObject({ status: 401, error: 'timestamp_in_future' });
    // Within the window, a stale-ish delivery is still accepted.
    const recent = await triggerJson(['endpoint.started', '--url', listener.url, '--stale', '60']);
    expect(recent.json.requests[0]).toMatchObject({ status: 200, outcome: 'processed' });
  });

  it('a secret the receiver does not know: rejected, exit 1 with a one-line reason', async () => {
    const listener = await startListen([], { env: secretEnv });
    const result = await run(['trigger', 'batch.completed', '--url', listener.url, '--secret', 'whsec_not_the_one']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ #1 {2}401 {2}rejected signature_mismatch/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^together-webhooks trigger: a valid delivery was rejected \(401 signature_mismatch\)/);
  });

  it('a receiver that accepts a tampered delivery fails the check (exit 1)', async () => {
    // A careless endpoint: answers 200 to anything.
    const server = createServer((socket) => {
      socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await run(['trigger', 'batch.completed', '--url', `http://127.0.0.1:${port}/hook`, '--tamper'], { env: secretEnv });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/the receiver accepted a tampered delivery \(200\): it must answer 401 signature_mismatch/);
    } finally {
      server.close();
    }
  });

  it('--data replaces fields of the generated data; --id fixes the event id', async () => {
    const listener = await startListen(['--json'], { env: secretEnv });
    const dir = await tempDir('tw-cli-');
    const data = join(dir, 'data.json');
    await writeFile(data, JSON.stringify({ model_output_name: 'acme/custom-model' }));
    const first = await triggerJson(['fine_tune.completed', '--url', listener.url, '--data', data, '--id', 'evt_fixed_id']);
    expect(first.json.id).toBe('evt_fixed_id');
    expect(first.json.requests[0]?.outcome).toBe('processed');
    const again = await triggerJson(['fine_tune.completed', '--url', listener.url, '--id', 'evt_fixed_id']);
    expect(again.json.requests[0]?.outcome).toBe('duplicate');
  });

  it('a type outside the catalog needs --any-type, and is then accepted (forward compatibility)', async () => {
    const listener = await startListen([], { env: secretEnv });
    const refused = await run(['trigger', 'model.deprecated', '--url', listener.url], { env: secretEnv });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unknown event type "model\.deprecated".*--any-type/);
    const sent = await triggerJson(['model.deprecated', '--url', listener.url, '--any-type']);
    expect(sent.code).toBe(0);
    expect(sent.json.requests[0]?.status).toBe(200);
  });

  it('nobody listening: exit 1, "connection refused"', async () => {
    const port = await freePort();
    const result = await run(['trigger', 'batch.completed', '--url', `http://127.0.0.1:${port}/webhooks`], { env: secretEnv });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^together-webhooks trigger: no answer from the endpoint: connection refused/);
  });
});

describe('trigger → listen in each scheme, the sender rotating its secret', () => {
  // The receiver knows only the new secret; the sender signs with the old and the new.
  const schemes = [
    { scheme: 'together', old: 'whsec_cli_rotated_out_Q2', secret: SECRET, other: 'standard', otherSecret: STANDARD_SECRET },
    { scheme: 'standard', old: `whsec_${Buffer.from('the key being rotated out').toString('base64')}`, secret: STANDARD_SECRET, other: 'together', otherSecret: SECRET },
  ];

  it.each(schemes)('--scheme $scheme: processed once, tampered and stale rejected, the other scheme refused', async ({ scheme, old, secret, other, otherSecret }) => {
    const listener = await startListen(['--json', '--scheme', scheme, '--secret', secret]);
    expect(jsonLines(listener.stdout())[0]).toMatchObject({ event: 'listening', scheme });
    const send = (args: string[], env: Record<string, string> = {}) => triggerJson(['batch.completed', '--url', listener.url, ...args], env);

    const sent = await send(['--scheme', scheme, '--secret', old, '--secret', secret, '--repeat', '2']);
    expect(sent.code).toBe(0);
    expect(sent.json).toMatchObject({ ok: true, scheme });
    expect(sent.json.requests.map((request) => request.outcome)).toEqual(['processed', 'duplicate']);
    // The event id is the idempotency key in both schemes (Standard Webhooks: the webhook-id).
    await listener.waitFor((output) => output.split('"event":"delivery"').length - 1 === 2);
    const deliveries = jsonLines(listener.stdout()).filter((line) => line.event === 'delivery');
    expect(deliveries.map((line) => [line.outcome, line.id, line.type])).toEqual([['processed', sent.json.id, 'batch.completed'], ['duplicate', sent.json.id, 'batch.completed']]);

    const tampered = await send(['--scheme', scheme, '--tamper', '--secret', secret]);
    expect(tampered.code).toBe(0);
    expect(tampered.json.requests[0]).toMatchObject({ status: 401, error: 'signature_mismatch', expected: true });
    const stale = await send(['--scheme', scheme, '--stale', '600'], { TOGETHER_WEBHOOK_SECRET: secret });
    expect(stale.json.requests[0]).toMatchObject({ status: 401, error: 'timestamp_too_old', expected: true });

    // A delivery of the other scheme finds none of this receiver's headers: trigger says which scheme it sent.
    const crossed = await run(['trigger', 'batch.completed', '--url', listener.url, '--scheme', other, '--secret', otherSecret]);
    expect(crossed.code).toBe(1);
    expect(crossed.stderr).toBe(`together-webhooks trigger: a valid delivery was rejected (401 missing_signature): this sent --scheme ${other}; does the receiver verify that scheme?\n`);
    await listener.waitFor(/"error":"missing_signature"/);
  });
});

describe('listen', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints the port it picked for --port 0 and stops cleanly on %s', async (signal) => {
    const listener = await startListen([], { env: secretEnv });
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:(?!0\/)\d+\/webhooks$/);
    expect(await stop(listener.child, signal)).toBe(0);
    expect(listener.stdout()).toContain(`stopped (${signal})`);
  });

  it('--json: a listening line, one line per delivery, a stopped line', async () => {
    const listener = await startListen(['--json'], { env: secretEnv });
    await run(['trigger', 'batch.created', '--url', listener.url], { env: secretEnv });
    await listener.waitFor(/"event":"delivery"/);
    expect(await stop(listener.child)).toBe(0);
    const lines = jsonLines(listener.stdout());
    expect(lines[0]).toMatchObject({ event: 'listening', url: listener.url, port: expect.any(Number) as number });
    expect(lines[1]).toMatchObject({ event: 'delivery', status: 200, outcome: 'processed', type: 'batch.created' });
    expect(lines.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
  });

  it('answers with the pipeline result: status, headers and JSON body', async () => {
    const listener = await startListen(['--path', '/hooks/together'], { env: secretEnv });
    expect(listener.url).toMatch(/\/hooks\/together$/);
    const response = await fetch(listener.url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ ok: false, outcome: 'rejected', error: 'missing_signature' });
    const elsewhere = await fetch(new URL('/other', listener.url), { method: 'POST', body: '{}' });
    expect(elsewhere.status).toBe(404);
    const get = await fetch(listener.url);
    expect(get.status).toBe(405);
  });

  it('a port in use: exit 1 with a one-line reason', async () => {
    const listener = await startListen([], { env: secretEnv });
    const port = new URL(listener.url).port;
    const result = await run(['listen', '--port', port], { env: secretEnv });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`together-webhooks listen: port ${port} is in use: pick another with --port, or --port 0 for a free one\n`);
  });

  it('takes its port from $PORT when --port is not given', async () => {
    const port = await freePort();
    const child = start(process.execPath, [BIN, 'listen'], { env: { ...secretEnv, PORT: String(port) } });
    child.stdin!.end();
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitForOutput(() => out, /listening|together-webhooks listen:/);
    expect(out).toContain(`http://127.0.0.1:${port}/webhooks`);
    expect(await stop(child)).toBe(0);
  });
});
