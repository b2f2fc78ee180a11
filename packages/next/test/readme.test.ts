import { createServer, type Server } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { close, listen, post, signedDelivery, writeReadmeExample } from '@x/together-webhooks-test-support';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_readme_next';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

beforeAll(() => {
  process.env.TOGETHER_WEBHOOK_SECRET = secret;
});

describe('README examples', () => {
  it('App Router: POST answers a signed Request', async () => {
    const file = await writeReadmeExample(packageDir, 'readme-app-router');
    const route = (await import(pathToFileURL(file).href)) as { POST: (request: Request) => Promise<Response> };
    const delivery = signedDelivery({ secret });
    const response = await route.POST(new Request('http://127.0.0.1/api/webhooks/together', { method: 'POST', body: delivery.body, headers: delivery.headers }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
  });

  it('Pages Router: turns the body parser off and answers over HTTP', async () => {
    const file = await writeReadmeExample(packageDir, 'readme-pages-router');
    const route = (await import(pathToFileURL(file).href)) as {
      config: unknown;
      default: Parameters<typeof createServer>[1];
    };
    expect(route.config).toEqual({ api: { bodyParser: false } });
    const server = createServer(route.default);
    servers.push(server);
    const delivery = signedDelivery({ secret });
    const answer = await post(await listen(server), delivery.body, delivery.headers);
    expect(answer.body).toEqual({ ok: true, outcome: 'processed', id: delivery.id });
  });
});
