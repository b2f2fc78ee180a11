/**
 * The README's examples, exactly as written, against the build (pnpm build): the h3 2 server runs
 * as its own process, and the Nuxt server route's default export is served by an h3 1 app the way
 * Nitro 2 serves a route file on Node.
 */
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApp, createRouter, toNodeListener, type EventHandler } from 'h3-v1';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { close, listen, post, signedDelivery, writeReadmeExample } from '@x/together-webhooks-test-support';
import { describeReadmeExample } from '@x/together-webhooks-test-support/readme-example';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describeReadmeExample(packageDir, 'whsec_readme_h3');

describe('README: the Nuxt 3 server route', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  it('its default export answers POST /webhooks/together on h3 1', async () => {
    const secret = 'whsec_readme_h3_nuxt';
    process.env.TOGETHER_WEBHOOK_SECRET = secret;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const route = (await import(pathToFileURL(await writeReadmeExample(packageDir, 'readme-nuxt')).href)) as { default: EventHandler };
    const app = createApp().use(createRouter().post('/webhooks/together', route.default));
    const server = createServer(toNodeListener(app));
    const url = await listen(server);
    stops.push(() => close(server));
    const delivery = signedDelivery({ secret });
    const answer = await post(`${url}/webhooks/together`, delivery.body, delivery.headers);
    expect([answer.status, answer.body]).toEqual([200, { ok: true, outcome: 'processed', id: delivery.id }]);
    expect(log).toHaveBeenCalledWith('model ready: acme/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-2b1c');
  });
});
