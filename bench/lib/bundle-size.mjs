/**
 * @module bundle-size — min+gzip size of a tiny app that imports only `verify`, per build, the way
 * a user's bundler would resolve the package (its `exports` conditions).
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const benchDir = fileURLToPath(new URL('..', import.meta.url));

const app = (specifier, name = 'verify') =>
  `import { ${name} } from '${specifier}';\nexport async function handler(request) { return ${name}(request, { secret: 'whsec_x' }); }\n`;

/** Bundles `contents` (resolved from bench/) and returns its minified and gzipped sizes in bytes. */
export async function bundleSize(contents, { platform, conditions = [] }) {
  const result = await build({
    stdin: { contents, resolveDir: benchDir, sourcefile: 'app.mjs', loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform,
    conditions,
    target: 'es2022',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

export const bundles = [
  {
    name: 'ours, Node build (platform node)',
    contents: app('@x/together-webhooks-core'),
    options: { platform: 'node' },
    budgetKiB: 2.5,
  },
  {
    name: 'ours, portable build (platform browser, worker)',
    contents: app('@x/together-webhooks-core'),
    options: { platform: 'browser', conditions: ['worker', 'browser'] },
    budgetKiB: 5,
  },
  {
    name: 'ours, verify with standardWebhooksScheme, Node build',
    contents: `import { standardWebhooksScheme, verify } from '@x/together-webhooks-core';\nexport const handler = (request) => verify(request, { secret: 'whsec_eA==', scheme: standardWebhooksScheme() });\n`,
    options: { platform: 'node' },
  },
  {
    name: 'ours, verify with standardWebhooksScheme, portable build',
    contents: `import { standardWebhooksScheme, verify } from '@x/together-webhooks-core';\nexport const handler = (request) => verify(request, { secret: 'whsec_eA==', scheme: standardWebhooksScheme() });\n`,
    options: { platform: 'browser', conditions: ['worker', 'browser'] },
  },
  {
    name: 'standardwebhooks (platform browser)',
    contents: `import { Webhook } from 'standardwebhooks';\nexport const handler = (p, h) => new Webhook('whsec_eA==').verify(p, h);\n`,
    options: { platform: 'browser' },
  },
  {
    name: 'stripe webhooks (platform node)',
    contents: `import Stripe from 'stripe';\nexport const handler = (p, h) => new Stripe('sk').webhooks.constructEvent(p, h, 's');\n`,
    options: { platform: 'node' },
  },
  {
    name: '@octokit/webhooks-methods verify (platform node)',
    contents: `import { verify } from '@octokit/webhooks-methods';\nexport const handler = (p, s) => verify('s', p, s);\n`,
    options: { platform: 'node' },
  },
];
