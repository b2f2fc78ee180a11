import { join } from 'node:path';
import { startFakeTogetherApi, type FakeTogetherApi } from '@x/together-webhooks-watch/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, jsonLines, run, SECRET, start, startListen, stop, tempDir, waitForOutput } from './helpers.js';

const apis: FakeTogetherApi[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()));
});

async function fakeApi(): Promise<FakeTogetherApi> {
  const api = await startFakeTogetherApi();
  apis.push(api);
  return api;
}

/** Starts `together-webhooks watch … --json` against the fake Together API; its output as text. */
function startWatch(api: FakeTogetherApi, args: readonly string[]) {
  const child = start(process.execPath, [BIN, 'watch', '--json', '--interval', '100', ...args], {
    env: { TOGETHER_API_KEY: api.apiKey, TOGETHER_BASE_URL: api.baseURL, TOGETHER_WEBHOOK_SECRET: SECRET },
  });
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, stdout: () => stdout, stderr: () => stderr, waitFor: (pattern: RegExp) => waitForOutput(() => stdout, pattern) };
}

describe('together-webhooks watch', () => {
  it('forwards job state changes, signed, to --forward; one status line per poll; stops cleanly on SIGTERM', async () => {
    const api = await fakeApi();
    const receiver = await startListen(['--json', '--secret', SECRET]);
    api.create('batch', { id: 'b1' });
    const watcher = startWatch(api, ['--forward', receiver.url, '--resources', 'batch']);
    await receiver.waitFor(/"id":"batch:b1:VALIDATING"/);
    api.set('batch', 'b1', 'COMPLETED');
    await receiver.waitFor(/"id":"batch:b1:COMPLETED"/);
    expect(await stop(watcher.child, 'SIGTERM')).toBe(0);
    const lines = jsonLines(watcher.stdout());
    expect(lines[0]).toMatchObject({ event: 'watching', forward: receiver.url, scheme: 'together', resources: ['batch'], state: 'memory' });
    const polls = lines.filter((line) => line['event'] === 'poll');
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.reduce((sum, poll) => sum + Number(poll['delivered']), 0)).toBe(2);
    expect(lines.at(-1)).toEqual({ event: 'stopped', signal: 'SIGTERM' });
    // Verified by the receiver: both processed.
    const deliveries = jsonLines(receiver.stdout()).filter((line) => line['event'] === 'delivery');
    expect(deliveries.map((line) => [line['id'], line['outcome']])).toEqual([
      ['batch:b1:VALIDATING', 'processed'],
      ['batch:b1:COMPLETED', 'processed'],
    ]);
    expect(watcher.stderr()).toBe('');
  });

  it('with --state <file>, a restarted watch announces only what changed while it was down', async () => {
    const api = await fakeApi();
    const receiver = await startListen(['--json', '--secret', SECRET]);
    const state = join(await tempDir('watch-state-'), 'state.json');
    api.create('batch', { id: 'b1' });
    const first = startWatch(api, ['--forward', receiver.url, '--resources', 'batch', '--state', state]);
    await receiver.waitFor(/"id":"batch:b1:VALIDATING"/);
    await first.waitFor(/"stateWritten":true/);
    expect(await stop(first.child, 'SIGTERM')).toBe(0);
    api.create('batch', { id: 'b2' });
    const second = startWatch(api, ['--forward', receiver.url, '--resources', 'batch', '--state', state]);
    await receiver.waitFor(/"id":"batch:b2:VALIDATING"/);
    await second.waitFor(/"event":"poll".*\n.*"event":"poll"/);
    expect(await stop(second.child, 'SIGTERM')).toBe(0);
    const ids = jsonLines(receiver.stdout()).filter((line) => line['event'] === 'delivery').map((line) => line['id']);
    // b1 is not announced again (no duplicate delivery at all).
    expect(ids).toEqual(['batch:b1:VALIDATING', 'batch:b2:VALIDATING']);
  });

  it('reports a receiver that refuses, one line per failure, and keeps polling', async () => {
    const api = await fakeApi();
    const receiver = await startListen(['--json', '--secret', 'whsec_another_secret_9dK2']);
    api.create('batch', { id: 'b1' });
    const watcher = startWatch(api, ['--forward', receiver.url, '--resources', 'batch']);
    await watcher.waitFor(/"event":"error","phase":"deliver"/);
    await watcher.waitFor(/"event":"poll".*\n(.*\n)*.*"event":"poll".*"pending":1/);
    expect(await stop(watcher.child, 'SIGTERM')).toBe(0);
    const errors = jsonLines(watcher.stdout()).filter((line) => line['event'] === 'error');
    expect(errors[0]).toMatchObject({ phase: 'deliver', resource: 'batch', eventId: 'batch:b1:VALIDATING' });
    // The secret never appears in what it prints.
    expect(watcher.stdout()).not.toContain(SECRET);
  });

  it.each([
    ['no --forward', ['--secret', SECRET], /--forward <url> is required/],
    ['a --forward that is not a URL', ['--forward', 'not a url', '--secret', SECRET], /--forward must be an absolute http/],
    ['an unknown resource', ['--forward', 'http://127.0.0.1:9/w', '--secret', SECRET, '--resources', 'batch,videos'], /"videos" is not one of/],
    ['an interval that is not a number', ['--forward', 'http://127.0.0.1:9/w', '--secret', SECRET, '--interval', 'soon'], /--interval must be an integer/],
    ['no secret', ['--forward', 'http://127.0.0.1:9/w'], /no secret/],
  ])('%s is a usage error (exit 2)', async (_case, args, message) => {
    const result = await run(['watch', ...args], { env: { TOGETHER_API_KEY: 'key' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('without TOGETHER_API_KEY it exits 1 and says what to set', async () => {
    const result = await run(['watch', '--forward', 'http://127.0.0.1:9/w', '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('together-webhooks watch: no Together API key: set TOGETHER_API_KEY\n');
  });
});
