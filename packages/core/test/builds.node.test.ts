/**
 * Errors are recognised across builds (spec section 10): an app that loads two builds of the core
 * (an ESM core beside a CJS adapter, the dual-package hazard, or the portable build beside the
 * Node one) has two classes of each name. Runs the published builds in dist/ (`pnpm test` builds
 * first).
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

type Core = typeof import('@x/together-webhooks-core');

const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const requireBuild = createRequire(import.meta.url);
const builds: Record<string, Core> = {};

beforeAll(async () => {
  builds['node ESM'] = (await import(/* @vite-ignore */ pathToFileURL(dist('node/index.js')).href)) as Core;
  builds['node CJS'] = requireBuild(dist('node/index.cjs')) as Core;
  builds['portable ESM'] = (await import(/* @vite-ignore */ pathToFileURL(dist('portable/index.js')).href)) as Core;
  builds['portable CJS'] = requireBuild(dist('portable/index.cjs')) as Core;
});

const names = ['node ESM', 'node CJS', 'portable ESM', 'portable CJS'];
const pairs = names.flatMap((maker) => names.map((checker) => [maker, checker] as const));

/** A verification error as build `core` makes it: a delivery with a wrong signature. */
function verificationErrorOf(core: Core): unknown {
  const body = '{"id":"evt_1","type":"batch.completed","data":{}}';
  const headers = { ...core.sign(body, { secret: 'whsec_other' }) };
  try {
    core.verifySync({ body, headers }, { secret: 'whsec_builds' });
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('errors made by one build are recognised by every other', () => {
  it('loads four distinct builds', () => {
    const classes = new Set(names.map((name) => builds[name]!.WebhookVerificationError));
    expect(classes.size).toBe(4);
  });

  it.each(pairs)('%s error, %s classes: instanceof holds for each error class', (maker, checker) => {
    const made = builds[maker]!;
    const check = builds[checker]!;
    expect(verificationErrorOf(made)).toBeInstanceOf(check.WebhookVerificationError);
    expect(new made.LeaseLostError('lost', 'expired')).toBeInstanceOf(check.LeaseLostError);
    expect(new made.StoreTimeoutError('claim', 10)).toBeInstanceOf(check.StoreTimeoutError);
    // Each class recognises its own kind only.
    expect(new made.LeaseLostError('lost', 'refused')).not.toBeInstanceOf(check.WebhookVerificationError);
    expect(verificationErrorOf(made)).not.toBeInstanceOf(check.StoreTimeoutError);
  });

  it.each(pairs)('%s error answered by a %s receiver keeps its status (413 stays 413)', (maker, checker) => {
    const tooLarge = new builds[maker]!.WebhookVerificationError('payload_too_large');
    const webhooks = builds[checker]!.createWebhooks({ secret: 'whsec_builds', onError: () => undefined });
    expect(webhooks.resultForError(tooLarge)).toMatchObject({ status: 413, outcome: 'rejected', body: { error: 'payload_too_large' } });
  });

  it('does not take plain errors, look-alikes or primitives for its own', () => {
    for (const name of names) {
      const { WebhookVerificationError } = builds[name]!;
      expect(new Error('x')).not.toBeInstanceOf(WebhookVerificationError);
      expect(Object.assign(new Error('x'), { name: 'WebhookVerificationError', code: 'signature_mismatch' })).not.toBeInstanceOf(WebhookVerificationError);
      for (const value of [null, undefined, 'WebhookVerificationError', 401] as unknown[]) expect(value instanceof WebhookVerificationError).toBe(false);
    }
  });

  it('keeps the ordinary check for a subclass', () => {
    const core = builds['node ESM']!;
    class AppError extends core.WebhookVerificationError {}
    expect(new AppError('signature_mismatch')).toBeInstanceOf(core.WebhookVerificationError);
    expect(new AppError('signature_mismatch')).toBeInstanceOf(builds['node CJS']!.WebhookVerificationError);
    expect(new core.WebhookVerificationError('signature_mismatch')).not.toBeInstanceOf(AppError);
  });
});
