/**
 * Nothing is silent by default (spec section 10): without `onError`, every reported error is one
 * line on console.error, with the phase and the event id, and never a secret.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createWebhooks, memoryStore, sign, type IdempotencyStore } from '@x/together-webhooks-core';

const secret = 'whsec_error_log_secret_value';
let sequence = 0;
let consoleError: MockInstance<typeof console.error>;

beforeEach(() => {
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  consoleError.mockRestore();
});

function delivery(id = `evt_log_${++sequence}`) {
  const body = JSON.stringify({ id, type: 'batch.completed', created: '2026-01-01T00:00:00Z', data: { id: 'b_1' } });
  return { id, body, headers: sign(body, { secret }) };
}

const downStore: IdempotencyStore = {
  claim: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
  renew: () => Promise.reject(new Error('down')),
  complete: () => Promise.reject(new Error('down')),
  release: () => Promise.reject(new Error('down')),
};

/** The lines console.error got, each call joined as one string. */
const lines = () => consoleError.mock.calls.map((args) => args.map(String).join(' '));

describe('the default error log', () => {
  it.each([
    {
      name: 'a handler that throws',
      make: () => createWebhooks({ secret, store: memoryStore() }).on('batch.completed', () => {
        throw new Error(`boom\nsecond line with ${'detail '.repeat(3)}`);
      }),
      status: 500,
      line: /^\[together-webhooks\] handler error for event "evt_log_\d+", answered failed: Error: boom$/,
    },
    {
      name: 'a store outage',
      make: () => createWebhooks({ secret, store: downStore }).on('batch.completed', () => undefined),
      status: 503,
      line: /^\[together-webhooks\] claim error for event "evt_log_\d+", answered store_unavailable: Error: connect ECONNREFUSED 127\.0\.0\.1:6379$/,
    },
  ])('prints one line for $name', async ({ make, status, line }) => {
    const webhooks = make();
    const sent = delivery();
    expect((await webhooks.handle(sent)).status).toBe(status);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(line);
    expect(lines()[0]).toContain(sent.id);
    expect(lines()[0]).not.toContain(secret);
  });

  it('prints one line for a configuration mistake (a parsed body), naming the fix', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    const result = await webhooks.handle({ body: JSON.parse(delivery().body) as string, headers: delivery().headers });
    expect(result.status).toBe(500);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(/^\[together-webhooks\] verify error, answered failed: TypeError: body must be the raw bytes \(or string\) from before any JSON parser/);
  });

  it('bounds a very long message and a very long event id to one short line', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() }).on('batch.completed', () => {
      throw new Error('x'.repeat(10_000));
    });
    await webhooks.handle(delivery(`evt_${'i'.repeat(5000)}`));
    expect(lines()).toHaveLength(1);
    expect(lines()[0]!.length).toBeLessThan(1300);
  });

  it('says nothing of a client that went away, which is not the app’s error', () => {
    const webhooks = createWebhooks({ secret });
    webhooks.reportError(Object.assign(new Error('gone'), { name: 'ClientAbortedError' }), { phase: 'adapter', outcome: 'failed' });
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('is replaced by onError', async () => {
    const onError = vi.fn();
    const webhooks = createWebhooks({ secret, store: downStore, onError }).on('batch.completed', () => undefined);
    await webhooks.handle(delivery());
    expect(onError).toHaveBeenCalledTimes(1);
    expect(consoleError).not.toHaveBeenCalled();
  });
});

describe('a secret read at the first delivery (builds that load the module without it)', () => {
  it('constructs without the secret, then verifies with it once it is there', async () => {
    const environment: { SECRET?: string } = {};
    const webhooks = createWebhooks({ secret: () => environment.SECRET, store: memoryStore() }).on('batch.completed', () => undefined);
    expect(webhooks.maxBodyBytes).toBe(1024 * 1024);
    environment.SECRET = secret;
    expect((await webhooks.handle(delivery())).outcome).toBe('processed');
  });

  it('answers 500 and prints the reason when the secret is missing at delivery time, never 401', async () => {
    const webhooks = createWebhooks({ secret: () => undefined }).on('batch.completed', () => undefined);
    const result = await webhooks.handle(delivery());
    expect(result).toMatchObject({ status: 500, outcome: 'failed' });
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(/verify error, answered failed: TypeError: the secret function returned no secret: set the variable it reads/);
  });

  it('checks what the function returns like a secret given directly', async () => {
    const webhooks = createWebhooks({ secret: () => ` ${secret}\n` });
    expect((await webhooks.handle(delivery())).status).toBe(500);
    expect(lines()[0]).toMatch(/surrounding whitespace/);
  });

  it('reads the secret once, and not for dispatch(), which needs none', async () => {
    let reads = 0;
    const webhooks = createWebhooks({ secret: () => (reads++, secret), store: memoryStore() }).on('batch.completed', () => undefined);
    const sent = delivery();
    expect((await webhooks.dispatch(JSON.parse(sent.body) as Parameters<typeof webhooks.dispatch>[0])).outcome).toBe('processed');
    expect(reads).toBe(0);
    await webhooks.handle(delivery());
    await webhooks.handle(delivery());
    expect(reads).toBe(1);
  });
});
