import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  createWebhooks,
  memoryStore,
  sign,
  type BatchJob,
  type DedicatedEndpoint,
  type FineTuneJob,
  type IdempotencyStore,
  type TogetherEvent,
  type WebhookErrorContext,
  WebhookVerificationError,
} from '@x/together-webhooks-core';

const secret = 'whsec_pipeline_test';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let sequence = 0;

function event(type: string, data: Record<string, unknown> = { id: 'ft-1', status: 'completed' }) {
  return { id: `evt_${++sequence}_${Date.now()}`, type, created: new Date().toISOString(), data };
}

function delivery(payload: object | string, options: { secret?: string; timestamp?: number } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return { body, headers: sign(body, { secret: options.secret ?? secret, ...(options.timestamp ? { timestamp: options.timestamp } : {}) }) };
}

/** Wraps a store to count calls and inject failures. */
function instrumented(inner: IdempotencyStore = memoryStore()) {
  const calls = { claim: 0, renew: 0, complete: 0, release: 0 };
  const fail = { claim: false, renew: false, complete: false, release: false, refuseRenew: false };
  const keys: string[] = [];
  const store: IdempotencyStore = {
    claim: (key, leaseMs) => {
      calls.claim++;
      keys.push(key);
      return fail.claim ? Promise.reject(new Error('store down')) : inner.claim(key, leaseMs);
    },
    renew: (key, token, leaseMs) => {
      calls.renew++;
      if (fail.renew) return Promise.reject(new Error('store down'));
      return fail.refuseRenew ? Promise.resolve(false) : inner.renew(key, token, leaseMs);
    },
    complete: (key, token, retentionMs) => {
      calls.complete++;
      return fail.complete ? Promise.reject(new Error('store down')) : inner.complete(key, token, retentionMs);
    },
    release: (key, token) => {
      calls.release++;
      return fail.release ? Promise.reject(new Error('store down')) : inner.release(key, token);
    },
  };
  return { store, calls, fail, keys };
}

function collectErrors() {
  const errors: { error: unknown; context: WebhookErrorContext }[] = [];
  return { errors, onError: (error: unknown, context: WebhookErrorContext) => errors.push({ error, context }) };
}

describe('createWebhooks().handle', () => {
  it('verifies, runs the typed handler, and answers 200 processed', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    const seen: FineTuneJob[] = [];
    webhooks.on('fine_tune.completed', (e) => {
      seen.push(e.data);
    });
    const sent = event('fine_tune.completed', { id: 'ft-9', status: 'completed', model_output_name: 'me/model' });
    const result = await webhooks.handle(delivery(sent));
    expect(result).toMatchObject({ status: 200, outcome: 'processed', body: { ok: true, outcome: 'processed', id: sent.id } });
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(result.event).toEqual(sent);
    expect(seen).toEqual([sent.data]);
  });

  it('accepts a Request', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    const handler = vi.fn();
    webhooks.on('batch.completed', handler);
    const { body, headers } = delivery(event('batch.completed', { id: 'b1', status: 'COMPLETED' }));
    const result = await webhooks.handle(new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }));
    expect(result.outcome).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('runs the handler exactly once for 200 concurrent deliveries of one new event', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    let runs = 0;
    webhooks.on('fine_tune.completed', async () => {
      runs++;
      await sleep(20);
    });
    const sent = delivery(event('fine_tune.completed'));
    const results = await Promise.all(Array.from({ length: 200 }, () => webhooks.handle(sent)));
    expect(runs).toBe(1);
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'processed')).toHaveLength(1);
    expect(outcomes.every((o) => o === 'processed' || o === 'in_progress' || o === 'duplicate')).toBe(true);
    for (const r of results.filter((r) => r.outcome === 'in_progress')) {
      expect(r.status).toBe(409);
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const again = await webhooks.handle(sent);
    expect(again).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(runs).toBe(1);
  });

  it('answers 500 failed when a handler throws, releases the claim, and the retry processes it once', async () => {
    const { store, calls } = instrumented();
    const { errors, onError } = collectErrors();
    const webhooks = createWebhooks({ secret, store, onError });
    let attempts = 0;
    let successes = 0;
    webhooks.on('batch.failed', () => {
      if (++attempts === 1) throw new Error('database password is hunter2');
      successes++;
    });
    const sent = delivery(event('batch.failed', { id: 'b2', status: 'FAILED' }));
    const first = await webhooks.handle(sent);
    expect(first).toMatchObject({ status: 500, outcome: 'failed', body: { ok: false, outcome: 'failed' } });
    expect(JSON.stringify(first.body)).not.toContain('hunter2');
    expect(calls.release).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toMatchObject({ phase: 'handler', outcome: 'failed' });
    expect(String(errors[0]!.error)).toContain('hunter2');

    expect(await webhooks.handle(sent)).toMatchObject({ status: 200, outcome: 'processed' });
    expect(await webhooks.handle(sent)).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(successes).toBe(1);
  });

  it('counts an event processed only when every matching handler succeeds', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    const order: string[] = [];
    let failSecond = true;
    webhooks.on('endpoint.started', () => void order.push('typed-1'));
    webhooks.on(['endpoint.started', 'endpoint.stopped'], () => {
      order.push('typed-2');
      if (failSecond) throw new Error('boom');
    });
    webhooks.onAny(() => void order.push('any'));
    const sent = delivery(event('endpoint.started', { id: 'e1', state: 'STARTED' }));
    expect((await webhooks.handle(sent)).outcome).toBe('failed');
    expect(order).toEqual(['typed-1', 'typed-2']);
    failSecond = false;
    expect((await webhooks.handle(sent)).outcome).toBe('processed');
    expect(order).toEqual(['typed-1', 'typed-2', 'typed-1', 'typed-2', 'any']);
  });

  // Synchronous handlers are not awaited (nothing to wait for): each handler still starts only
  // once the one before it has settled, and a throw or a rejection stops the rest.
  type HandlerKind = 'returns' | 'resolves' | 'thenable' | 'throws' | 'rejects';
  it.each([
    { kinds: ['returns', 'resolves', 'returns'], outcome: 'processed', steps: 's0 e0 s1 e1 s2 e2' },
    { kinds: ['resolves', 'thenable', 'returns'], outcome: 'processed', steps: 's0 e0 s1 e1 s2 e2' },
    { kinds: ['returns', 'throws', 'returns'], outcome: 'failed', steps: 's0 e0 s1' },
    { kinds: ['resolves', 'rejects', 'returns'], outcome: 'failed', steps: 's0 e0 s1' },
    { kinds: ['thenable', 'throws'], outcome: 'failed', steps: 's0 e0 s1' },
  ] satisfies { kinds: HandlerKind[]; outcome: string; steps: string }[])(
    'handlers $kinds run one after another: $outcome',
    async ({ kinds, outcome, steps }) => {
      for (const store of [memoryStore(), undefined]) {
        const webhooks = createWebhooks({ secret, ...(store && { store }), onError: () => {} });
        const seen: string[] = [];
        kinds.forEach((kind, i) => {
          webhooks.onAny(() => {
            seen.push(`s${i}`);
            const end = () => void seen.push(`e${i}`);
            if (kind === 'returns') return end();
            if (kind === 'throws') throw new Error(`handler ${i}`);
            if (kind === 'rejects') return sleep(5).then(() => Promise.reject(new Error(`handler ${i}`)));
            const settled = sleep(5).then(end);
            return kind === 'resolves' ? settled : { then: (resolve: () => void) => void settled.then(resolve) };
          });
        });
        expect((await webhooks.handle(delivery(event('endpoint.started', { id: 'e1', state: 'STARTED' })))).outcome).toBe(outcome);
        expect(seen.join(' ')).toBe(steps);
      }
    },
  );

  it('answers 503 store_unavailable with Retry-After and runs nothing while the store is down, then processes', async () => {
    const { store, fail } = instrumented();
    const { errors, onError } = collectErrors();
    const webhooks = createWebhooks({ secret, store, onError });
    const handler = vi.fn();
    webhooks.on('fine_tune.completed', handler);
    const sent = delivery(event('fine_tune.completed'));
    fail.claim = true;
    const down = await webhooks.handle(sent);
    expect(down).toMatchObject({ status: 503, outcome: 'store_unavailable', body: { ok: false } });
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    expect(handler).not.toHaveBeenCalled();
    expect(errors[0]?.context.phase).toBe('claim');
    fail.claim = false;
    expect((await webhooks.handle(sent)).outcome).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('fails closed on a store that answers claim() with nonsense', async () => {
    const store = { ...memoryStore(), claim: () => Promise.resolve({ state: 'maybe' }) } as unknown as IdempotencyStore;
    const webhooks = createWebhooks({ secret, store });
    const handler = vi.fn();
    webhooks.on('fine_tune.completed', handler);
    expect((await webhooks.handle(delivery(event('fine_tune.completed')))).status).toBe(503);
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 200 processed when the completion write fails, and reports it', async () => {
    const { store, fail } = instrumented();
    const { errors, onError } = collectErrors();
    const webhooks = createWebhooks({ secret, store, onError });
    webhooks.on('video.completed', () => undefined);
    fail.complete = true;
    const result = await webhooks.handle(delivery(event('video.completed', { id: 'v1', status: 'completed' })));
    expect(result).toMatchObject({ status: 200, outcome: 'processed' });
    expect(errors.map((e) => e.context.phase)).toEqual(['complete']);
  });

  it('renews the lease of a handler that runs longer than three leases, so no second delivery takes over', async () => {
    const { store, calls } = instrumented();
    const webhooks = createWebhooks({ secret, store, leaseMs: 90 });
    let runs = 0;
    let aborted = false;
    webhooks.on('fine_tune.running', async (_e, { signal }) => {
      runs++;
      await sleep(400);
      aborted = signal.aborted;
    });
    const sent = delivery(event('fine_tune.running', { id: 'ft-2', status: 'running' }));
    const first = webhooks.handle(sent);
    const during = [];
    for (let i = 0; i < 3; i++) {
      await sleep(120);
      during.push(await webhooks.handle(sent));
    }
    expect((await first).outcome).toBe('processed');
    expect(during.map((r) => r.outcome)).toEqual(['in_progress', 'in_progress', 'in_progress']);
    expect(runs).toBe(1);
    expect(aborted).toBe(false);
    expect(calls.renew).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['refuses', 'refuseRenew'],
    ['fails', 'renew'],
  ] as const)('aborts ctx.signal when the store %s a renewal', async (_how, flaw) => {
    const { store, fail } = instrumented();
    const { errors, onError } = collectErrors();
    const webhooks = createWebhooks({ secret, store, leaseMs: 60, onError });
    fail[flaw] = true;
    let reason: unknown;
    webhooks.on('batch.in_progress', async (_e, { signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      reason = signal.reason;
    });
    const result = await webhooks.handle(delivery(event('batch.in_progress', { id: 'b3', status: 'IN_PROGRESS' })));
    expect(result.outcome).toBe('processed');
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).name).toBe('LeaseLostError');
    if (flaw === 'renew') expect(errors.some((e) => e.context.phase === 'renew')).toBe(true);
  });

  it('acknowledges an event without handlers as 200 unhandled, without touching the store', async () => {
    const { store, calls } = instrumented();
    const webhooks = createWebhooks({ secret, store });
    webhooks.on('fine_tune.completed', () => undefined);
    const result = await webhooks.handle(delivery(event('model.deployed', { name: 'x' })));
    expect(result).toMatchObject({ status: 200, outcome: 'unhandled', body: { ok: true, outcome: 'unhandled' } });
    expect(calls.claim).toBe(0);
  });

  it('delivers an unknown type to onAny', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    const seen: TogetherEvent[] = [];
    webhooks.onAny((e) => void seen.push(e));
    const sent = event('model.deployed', { name: 'x' });
    expect((await webhooks.handle(delivery(sent))).outcome).toBe('processed');
    expect(seen.map((e) => e.type as string)).toEqual(['model.deployed']);
  });

  it('without a store, does not deduplicate', async () => {
    const webhooks = createWebhooks({ secret });
    const handler = vi.fn();
    webhooks.on('fine_tune.completed', handler);
    const sent = delivery(event('fine_tune.completed'));
    expect((await webhooks.handle(sent)).outcome).toBe('processed');
    expect((await webhooks.handle(sent)).outcome).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a forged signature', () => delivery(event('fine_tune.completed'), { secret: 'whsec_other' }), 401, 'signature_mismatch'],
    ['a stale timestamp', () => delivery(event('fine_tune.completed'), { timestamp: Math.floor(Date.now() / 1000) - 3600 }), 401, 'timestamp_too_old'],
    ['an authentic non-event', () => delivery('[1,2,3]'), 400, 'invalid_payload'],
    ['a missing signature', () => ({ body: '{}', headers: {} }), 401, 'missing_signature'],
    ['an oversized body', () => delivery('x'.repeat(2048)), 413, 'payload_too_large'],
  ] as const)('rejects %s with its status, runs nothing, and leaks no secret', async (_name, make, status, code) => {
    const { store, calls } = instrumented();
    const webhooks = createWebhooks({ secret, store, maxBodyBytes: 1024 });
    const handler = vi.fn();
    webhooks.onAny(handler);
    const result = await webhooks.handle(make());
    expect(result).toMatchObject({ status, outcome: 'rejected', body: { ok: false, outcome: 'rejected', error: code } });
    expect(JSON.stringify(result.body)).not.toContain(secret);
    expect(handler).not.toHaveBeenCalled();
    expect(calls.claim).toBe(0);
  });

  it('answers 500 and tells onError how to fix a parsed body, instead of a 401', async () => {
    const { errors, onError } = collectErrors();
    const webhooks = createWebhooks({ secret, onError });
    const parsed = { body: { id: 'evt' } as unknown as string, headers: sign('{}', { secret }) };
    const result = await webhooks.handle(parsed);
    expect(result).toMatchObject({ status: 500, outcome: 'failed' });
    expect(errors[0]?.context.phase).toBe('verify');
    expect(String(errors[0]?.error)).toMatch(/raw/);
  });

  it('keeps answering when onError itself throws', async () => {
    const webhooks = createWebhooks({
      secret,
      store: memoryStore(),
      onError: () => {
        throw new Error('logger broke');
      },
    });
    webhooks.on('fine_tune.failed', () => {
      throw new Error('handler broke');
    });
    expect((await webhooks.handle(delivery(event('fine_tune.failed')))).status).toBe(500);
  });

  it('uses together:event:<id> keys, and keyPrefix changes the prefix', async () => {
    const a = instrumented();
    const b = instrumented();
    const sent = event('fine_tune.completed');
    const first = createWebhooks({ secret, store: a.store }).onAny(() => undefined);
    const second = createWebhooks({ secret, store: b.store, keyPrefix: 'app2:' }).onAny(() => undefined);
    await first.handle(delivery(sent));
    await second.handle(delivery(sent));
    expect(a.keys).toEqual([`together:event:${sent.id}`]);
    expect(b.keys).toEqual([`app2:${sent.id}`]);
  });

  it('answers in_progress with Retry-After rounded up to whole seconds', async () => {
    const store: IdempotencyStore = { ...memoryStore(), claim: () => Promise.resolve({ state: 'in_progress', retryAfterMs: 2500 }) };
    const webhooks = createWebhooks({ secret, store }).onAny(() => undefined);
    const result = await webhooks.handle(delivery(event('fine_tune.completed')));
    expect(result).toMatchObject({ status: 409, outcome: 'in_progress', headers: { 'retry-after': '3' } });
  });
});

describe('createWebhooks().resultForError', () => {
  it('answers a verification error as handle() would, and reports anything else as a 500', () => {
    const { errors, onError } = collectErrors();
    const webhooks = createWebhooks({ secret, onError });
    const tooLarge = webhooks.resultForError(new WebhookVerificationError('payload_too_large'));
    expect(tooLarge).toMatchObject({ status: 413, outcome: 'rejected', body: { ok: false, error: 'payload_too_large' } });
    expect(errors).toHaveLength(0);
    const misconfigured = webhooks.resultForError(new TypeError('mount the route before express.json()'));
    expect(misconfigured).toMatchObject({ status: 500, outcome: 'failed', body: { ok: false, outcome: 'failed' } });
    expect(JSON.stringify(misconfigured.body)).not.toContain('express.json');
    expect(errors[0]?.context).toEqual({ phase: 'adapter', outcome: 'failed' });
  });

  it('is an answer like any other: onResult is told of it', () => {
    const told: string[] = [];
    const webhooks = createWebhooks({ secret, onError: () => undefined, onResult: (result) => void told.push(`${result.status} ${result.outcome}`) });
    webhooks.resultForError(new WebhookVerificationError('payload_too_large'));
    webhooks.resultForError(new TypeError('a parser ran first'));
    expect(told).toEqual(['413 rejected', '500 failed']);
  });
});

describe('createWebhooks().dispatch', () => {
  it('runs a trusted event through the same claim, handlers and completion', async () => {
    const webhooks = createWebhooks({ secret, store: memoryStore() });
    const handler = vi.fn();
    webhooks.on('fine_tune.completed', handler);
    const sent = event('fine_tune.completed') as TogetherEvent;
    expect(await webhooks.dispatch(sent)).toMatchObject({ status: 200, outcome: 'processed', event: sent });
    expect(await webhooks.dispatch(sent)).toMatchObject({ outcome: 'duplicate' });
    expect((await webhooks.handle(delivery(sent))).outcome).toBe('duplicate');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('rejects a malformed event with a TypeError', async () => {
    const webhooks = createWebhooks({ secret });
    await expect(webhooks.dispatch({ id: '', type: 'x', data: {} } as unknown as TogetherEvent)).rejects.toThrow(TypeError);
  });
});

describe('createWebhooks() configuration', () => {
  it.each([
    ['no secret', {}],
    ['an empty secret', { secret: '' }],
    ['a secret with a trailing newline', { secret: 'whsec_x\n' }],
    ['a store missing methods', { secret, store: { claim: () => undefined } }],
    ['a negative lease', { secret, leaseMs: -1 }],
  ])('throws a TypeError or RangeError for %s', (_name, options) => {
    expect(() => createWebhooks(options as never)).toThrow(/secret|store|leaseMs/);
  });

  it('types each handler by its event type', () => {
    const webhooks = createWebhooks({ secret });
    webhooks.on('fine_tune.completed', (e) => {
      expectTypeOf(e.data).toEqualTypeOf<FineTuneJob>();
      expectTypeOf(e.type).toEqualTypeOf<'fine_tune.completed'>();
    });
    webhooks.on(['batch.completed', 'batch.failed'], (e) => {
      expectTypeOf(e.data).toEqualTypeOf<BatchJob>();
      expectTypeOf(e.type).toEqualTypeOf<'batch.completed' | 'batch.failed'>();
    });
    webhooks.on(['batch.failed', 'endpoint.failed'], (e) => {
      if (e.type === 'endpoint.failed') expectTypeOf(e.data).toEqualTypeOf<DedicatedEndpoint>();
      else expectTypeOf(e.data).toEqualTypeOf<BatchJob>();
    });
    webhooks.on('video.failed', (_e, context) => expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>());
    // @ts-expect-error: not a catalog type; use onAny for types newer than the SDK
    webhooks.on('not.a.type', () => undefined);
  });
});
