// The Express example is plain JavaScript; these are the parts of it the forwarding test uses.
declare module '@x/example-express' {
  import type { IdempotencyStore, Webhooks } from '@x/together-webhooks-core';

  export const DEV_SECRET: string;
  export function start(options?: {
    port?: number;
    secret?: string;
    store?: IdempotencyStore;
    log?: (line: string) => void;
  }): Promise<{ webhooks: Webhooks; url: string; close: () => Promise<void> }>;
}
