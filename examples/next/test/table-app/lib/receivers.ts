/**
 * The table's receivers, once per server process: Next.js bundles each route on its own, so they
 * are kept on globalThis, where every route (and `GET /table-runs/:id`) finds the same ones.
 */
import { tableReceivers, type TableReceivers } from '@x/together-webhooks-test-support/receivers';

const shared = globalThis as { togetherDeliveryTable?: TableReceivers };
export const receivers = (shared.togetherDeliveryTable ??= tableReceivers());

/** The receiver the table serves at `path`. */
export function webhooksAt(path: string) {
  const route = receivers.routes.find((candidate) => candidate.path === path);
  if (!route) throw new Error(`the table has no route at ${path}`);
  return route.webhooks;
}
