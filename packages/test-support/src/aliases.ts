/**
 * @module aliases — the vitest aliases that run a package's tests against the sources of the core
 * and of the Node reader, so they need no build. (README examples, the demo and Next.js run the
 * builds.)
 */
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../../', import.meta.url));

/** `resolve.alias` for a package's vitest config. */
export function sourceAliases(): { find: RegExp; replacement: string }[] {
  return [
    { find: /^#crypto$/, replacement: `${packages}core/src/crypto/node.ts` },
    { find: /^@x\/together-webhooks-core$/, replacement: `${packages}core/src/index.ts` },
    { find: /^@x\/together-webhooks-node-http$/, replacement: `${packages}node-http/src/index.ts` },
  ];
}
