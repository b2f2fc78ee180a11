/**
 * The table of delivery cases against the handler on h3 1 (toNodeListener, as Nitro 2 serves it on
 * Node) and h3 2 (h3/node's toNodeHandler), through real HTTP.
 */
import { describeDeliveryCases, httpTarget } from '@x/together-webhooks-test-support/delivery-cases';
import { serveH3, type Major } from './servers.js';

const parserFirst: Record<Major, { parser: string; answers: 'processed' | 'misconfigured' }> = {
  // h3 1 keeps the bytes its readBody read, and the handler verifies those.
  'h3 1': { parser: 'readBody(event) before the handler: h3 1 keeps the raw bytes', answers: 'processed' },
  // h3 2 reads a body once; the message naming the fix is checked in h3.test.ts.
  'h3 2': { parser: 'readBody(event) before the handler: h3 2 reads a body once', answers: 'misconfigured' },
};

for (const major of ['h3 1', 'h3 2'] as const) {
  describeDeliveryCases(
    major,
    async (routes) => {
      const served = await serveH3(major, routes.map((route) => ({ path: route.path, webhooks: route.webhooks, readBodyFirst: route.parserFirst })));
      return httpTarget(served.url, () => served.close());
    },
    { parserFirst: parserFirst[major] },
  );
}
