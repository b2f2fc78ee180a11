// `trigger` against a real app: the Express example (examples/express), started as its README
// says, on a free port. Its adapter and the core must be built, as for every end-to-end test.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, SECRET, start, waitForOutput } from './helpers.js';

const server = fileURLToPath(new URL('../../../examples/express/src/server.js', import.meta.url));
const env = { TOGETHER_WEBHOOK_SECRET: SECRET };

interface TriggerJson {
  requests: { status?: number; outcome?: string; error?: string }[];
}

async function startExample(): Promise<string> {
  const child = start(process.execPath, [server], { env: { ...env, PORT: '0' } });
  child.stdin!.end();
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitForOutput(() => output, /POST http:\/\/127\.0\.0\.1:\d+\/\S+|Error/);
  const url = /POST (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(output)?.[1];
  if (!url) throw new Error(`the Express example did not start:\n${output}`);
  return url;
}

async function trigger(args: string[]) {
  const result = await run(['trigger', ...args, '--json'], { env });
  return { code: result.code, requests: (JSON.parse(result.stdout) as TriggerJson).requests };
}

describe('trigger against the Express example', () => {
  it('processes a valid delivery, once under five concurrent copies, and rejects tampered and stale ones', async () => {
    const url = await startExample();

    const valid = await trigger(['fine_tune.completed', '--url', url]);
    expect(valid.code).toBe(0);
    expect(valid.requests).toMatchObject([{ status: 200, outcome: 'processed' }]);

    const copies = await trigger(['batch.completed', '--url', url, '--repeat', '5', '--concurrency', '5']);
    expect(copies.code).toBe(0);
    const outcomes = copies.requests.map((request) => request.outcome);
    expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
    expect(outcomes.every((outcome) => ['processed', 'duplicate', 'in_progress'].includes(outcome ?? ''))).toBe(true);

    const tampered = await trigger(['video.completed', '--url', url, '--tamper']);
    expect(tampered.code).toBe(0);
    expect(tampered.requests).toMatchObject([{ status: 401, outcome: 'rejected', error: 'signature_mismatch' }]);

    const stale = await trigger(['video.completed', '--url', url, '--stale', '600']);
    expect(stale.code).toBe(0);
    expect(stale.requests).toMatchObject([{ status: 401, outcome: 'rejected', error: 'timestamp_too_old' }]);
  });
});
