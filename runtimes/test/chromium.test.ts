/**
 * Headless Chromium (Debian's, driven by playwright-core): a page served from 127.0.0.1 loads the
 * app bundled for the browser (esbuild platform browser: the portable build) and runs the vectors.
 */
import { createServer, type Server } from 'node:http';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundle,
  executable,
  expectAgreement,
  expectConformance,
  logRow,
  missing,
  nodeSignedDelivery,
  skipWithout,
  tempDir,
  type ConformanceReport,
} from './support.js';

const chromiumPath = executable('/usr/bin/chromium');
const installChromium = 'apt-get install -y chromium';
const skipChromium = skipWithout('/usr/bin/chromium', chromiumPath !== undefined, installChromium, 'the headless Chromium tests');

const page = `<!doctype html>
<meta charset="utf-8">
<title>together-webhooks conformance</title>
<script type="module" src="/app.js"></script>
`;

function serve(files: Record<string, { type: string; body: string }>): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const file = files[request.url ?? ''];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

describe.skipIf(skipChromium)('headless Chromium', () => {
  let profile: ReturnType<typeof tempDir> | undefined;
  let context: BrowserContext | undefined;
  let server: Server | undefined;
  let origin = '';

  beforeAll(async () => {
    if (!chromiumPath) throw missing('/usr/bin/chromium', installChromium);
    const app = await bundle('harness/browser.mjs', { platform: 'browser' });
    ({ server, origin } = await serve({
      '/': { type: 'text/html; charset=utf-8', body: page },
      '/app.js': { type: 'text/javascript; charset=utf-8', body: app },
    }));
    profile = tempDir('chromium-profile');
    // A persistent context is how playwright takes a fresh --user-data-dir we own and remove.
    context = await chromium.launchPersistentContext(profile.path, {
      executablePath: chromiumPath,
      headless: true,
      timeout: 60_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    profile?.remove();
  });

  it('selects the portable build in the page, passes every vector and agrees with Node', async () => {
    const tab = await context!.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`${origin}/`, { timeout: 30_000 });
    await tab.waitForFunction(() => (globalThis as { __togetherReady?: boolean }).__togetherReady === true, undefined, { timeout: 30_000 });
    const fromNode = nodeSignedDelivery('browser');
    const output = await tab.evaluate(
      (input) => (globalThis as unknown as { __togetherConformance: (input: string) => Promise<string> }).__togetherConformance(input),
      JSON.stringify(fromNode),
    );
    const report = JSON.parse(output) as ConformanceReport;
    expect(errors).toEqual([]);
    expect(report.runtime.version).toMatch(/HeadlessChrome\/\d+/);
    expectConformance(report, '@noble/hashes', 'browser');
    await expectAgreement(report, fromNode);
    const cdp = await context!.newCDPSession(tab);
    const { product } = await cdp.send('Browser.getVersion');
    logRow('Chromium (headless)', product.replace(/^(Headless)?Chrome\//, ''), report);
  });
});
