/**
 * `pnpm --filter @x/example-queue start` as a user runs it: the receiver and the worker as two
 * processes on one (test-owned) redis-server. A delivery for a slow handler is answered 202
 * before the handler finishes, and the worker process runs it once, a re-delivery included;
 * `send` sends a new event each run, or the one whose id it is given again.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, post, signedDelivery } from '@x/together-webhooks-test-support';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';

const here = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_example_queue_test';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(!redisServerAvailable)('the queue example: receiver and worker processes on one Redis', () => {
  let redis: RedisServer;
  let child: ChildProcess;
  let output = '';
  let url: string;
  let port: number;

  const waitForOutput = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`start.js exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`);
      await sleep(20);
    }
    return pattern.exec(output)!;
  };
  const count = (pattern: RegExp) => output.split('\n').filter((line) => pattern.test(line)).length;

  beforeAll(async () => {
    redis = await startRedis();
    port = await freePort();
    child = spawn(process.execPath, ['src/start.js'], {
      cwd: here,
      env: { ...process.env, REDIS_URL: redis.url, PORT: String(port), TOGETHER_WEBHOOK_SECRET: secret, SLOW_HANDLER_MS: '3000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(/worker: ready/);
    url = (await waitForOutput(/receiver: POST (\S+)/))[1]!;
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await redis?.stop();
  });

  it('answers 202 queued before the slow handler finishes; the worker process runs it once, a re-delivery included', async () => {
    const event = { id: `evt_example_queue_${Date.now()}`, type: 'batch.completed', created: new Date().toISOString(), data: { id: 'batch_slow', status: 'COMPLETED' } };
    const delivery = signedDelivery({ event, secret });
    const answer = await post(url, delivery.body, delivery.headers);
    expect(answer).toMatchObject({ status: 202, body: { ok: true, outcome: 'queued', id: event.id } });
    // Answered before the handler could finish (it takes 3 s): the answer did not wait for it.
    expect(output).not.toContain(`finished batch.completed ${event.id}`);

    const [, receiverPid] = (await waitForOutput(new RegExp(`\\[receiver (\\d+)\\] answered 202 queued for batch.completed ${event.id}`)));
    const [, workerPid] = (await waitForOutput(new RegExp(`\\[worker (\\d+)\\] started batch.completed ${event.id}`)));
    expect(receiverPid).not.toBe(workerPid);
    await waitForOutput(new RegExp(`finished batch.completed ${event.id}`), 30_000);

    // The sender retries (it missed the answer): 202 again, and nothing runs twice.
    expect(await post(url, delivery.body, delivery.headers)).toMatchObject({ status: 202, body: { outcome: 'queued' } });
    await sleep(500);
    expect(count(new RegExp(`started batch.completed ${event.id}`))).toBe(1);
    expect(count(new RegExp(`finished batch.completed ${event.id}`))).toBe(1);
  });

  it('send.js sends a new event each run, and the same event again when given its id: it runs once', async () => {
    const send = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(process.execPath, ['src/send.js', ...args], {
        cwd: here,
        env: { ...process.env, PORT: String(port), TOGETHER_WEBHOOK_SECRET: secret },
      });
      const answer = /-> (\d+) in [\d.]+ ms \{ ok: true, outcome: '(\w+)', id: '([^']+)' \}/.exec(stdout);
      if (!answer) throw new Error(`send.js printed no answer: ${stdout}`);
      return { status: Number(answer[1]), outcome: answer[2], id: answer[3]! };
    };
    const first = await send();
    const other = await send();
    expect(other.id).not.toBe(first.id);
    // Sent again while the first run is still going (3 s), the same event adds nothing.
    expect(await send('batch.completed', first.id)).toEqual({ status: 202, outcome: 'queued', id: first.id });
    expect(first).toMatchObject({ status: 202, outcome: 'queued' });
    await waitForOutput(new RegExp(`finished batch.completed ${first.id}`), 30_000);
    await waitForOutput(new RegExp(`finished batch.completed ${other.id}`), 30_000);
    expect(await send('batch.completed', first.id)).toEqual({ status: 202, outcome: 'queued', id: first.id });
    await sleep(500);
    expect(count(new RegExp(`started batch.completed ${first.id}:`))).toBe(1);
    expect(count(new RegExp(`finished batch.completed ${first.id}$`))).toBe(1);
  });
});
