import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedDelivery, writeReadmeExample } from '@x/together-webhooks-test-support';
import type { LambdaHandler } from '../src/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_readme_lambda';

beforeAll(() => {
  process.env.TOGETHER_WEBHOOK_SECRET = secret;
});

describe('README example', () => {
  it('exports a handler that answers an HTTP API event', async () => {
    const file = await writeReadmeExample(packageDir, 'readme-example');
    const { handler } = (await import(pathToFileURL(file).href)) as { handler: LambdaHandler };
    const template = JSON.parse(readFileSync(new URL('./fixtures/apigw-http-no-auth.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const delivery = signedDelivery({ secret });
    const result = await handler({ ...template, body: delivery.body, headers: delivery.headers, isBase64Encoded: false } as unknown as Parameters<LambdaHandler>[0]);
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ ok: true, outcome: 'processed', id: delivery.id }),
      isBase64Encoded: false,
    });
  });
});
