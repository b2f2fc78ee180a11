/**
 * The table of delivery cases against `next build` and `next start` of test/table-app: App Router
 * routes (nodejs runtime) at the table's paths, and the Pages Router route with Next.js's body
 * parser on behind /webhooks/parsed. Real HTTP, the built packages (pnpm build).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describeDeliveryCases, httpTarget } from '@x/together-webhooks-test-support/delivery-cases';
import { startServerChild } from '@x/together-webhooks-test-support/runtimes';

const app = fileURLToPath(new URL('table-app', import.meta.url));
const nextBin = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url));
// vitest sets NODE_ENV=test, under which next build fails to prerender its own error pages.
const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };

async function build(): Promise<void> {
  const child = spawn(process.execPath, [nextBin, 'build', '--webpack', app], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`next build exited with ${String(code)}:\n${output}`);
}

describeDeliveryCases(
  'Next.js under next start (App Router, nodejs runtime; Pages Router behind its body parser)',
  async () => {
    await build();
    const server = await startServerChild(process.execPath, (port) => [nextBin, 'start', app, '--hostname', '127.0.0.1', '--port', String(port)], {
      env,
      readyPath: '/table-runs/none',
      timeoutMs: 60_000,
    });
    return httpTarget(server.origin, server.stop, async (id) => {
      const answer = await fetch(`${server.origin}/table-runs/${encodeURIComponent(id)}`);
      return ((await answer.json()) as { runs: number }).runs;
    });
  },
  {
    parserFirst: { parser: 'the Pages Router body parser left on', answers: 'misconfigured' },
    tooLargeConnection: { expect: 'any', reason: 'next start owns the connection: the route handler returns a Response' },
  },
);
