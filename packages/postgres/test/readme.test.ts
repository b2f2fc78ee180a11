import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebhooks, memoryStore, type Webhooks } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { readmeExample, writeReadmeExample } from '@x/together-webhooks-test-support';
import { startFakeTogetherApi } from '@x/together-webhooks-watch/testing';
import { serveWebhooks } from '../../redis/test/support/webhook-server.js';
import { createTableSql, createWatchStateTableSql } from '../src/index.js';
import { createTestSchema, skipWithoutPostgres, type TestSchema } from './postgres-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readmePath = `${packageDir}README.md`;
const secret = 'whsec_readme_example';

// Far more than the kit needs (its leases and retentions wait out about 3 s): past it, the example
// left something open and would never exit.
const EXIT_DEADLINE_MS = 30_000;

/** Runs `command` with `args` to its end; its exit code and everything it printed. */
async function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: string | null; output: string }> {
  const child = spawn(command, args, { cwd: packageDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(deadline);
  return { code, signal, output };
}

it('shows the DDL createTableSql() returns, exactly', () => {
  expect(readmeExample(readmePath, 'ddl')).toBe(createTableSql());
});

it('shows the DDL createWatchStateTableSql() returns, exactly', () => {
  expect(readmeExample(readmePath, 'watch-state-ddl')).toBe(createWatchStateTableSql());
});

describe.skipIf(skipWithoutPostgres)('the README examples run as written', () => {
  // Each example gets a database of its own: a fresh schema its DATABASE_URL points to.
  const schemas: TestSchema[] = [];
  const freshDatabase = async (label: string) => {
    const schema = await createTestSchema(`readme_${label}`);
    schemas.push(schema);
    return schema;
  };
  beforeAll(() => {
    vi.stubEnv('TOGETHER_WEBHOOK_SECRET', secret);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.stubEnv('TOGETHER_WEBHOOK_SECRET', secret);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await Promise.all(schemas.map((schema) => schema.drop()));
  });

  it.each([
    ['pg', 'fine_tune.completed', (module: Record<string, unknown>) => (module.pool as { end(): Promise<void> }).end()],
    ['postgres-js', 'batch.completed', (module: Record<string, unknown>) => (module.sql as { end(): Promise<void> }).end()],
  ] as const)('with %s: creates the table, then processes once and answers a duplicate', async (name, type, close) => {
    const schema = await freshDatabase(name.replace('-', '_'));
    vi.stubEnv('DATABASE_URL', schema.url);
    vi.mocked(console.log).mockClear();
    // Compiled into the package's .tmp/, imported here: the package name resolves to the sources.
    const module = (await import(/* @vite-ignore */ await writeReadmeExample(packageDir, `example-${name}`))) as Record<string, unknown>;
    const webhooks = module.webhooks as Webhooks;
    try {
      const event = createTestEvent(type);
      const delivery = createSignedDelivery(event, { secret });
      expect((await webhooks.handle(delivery)).outcome).toBe('processed');
      expect((await webhooks.handle(delivery)).outcome).toBe('duplicate');
      expect(console.log).toHaveBeenCalledTimes(1);
      const rows = await schema.query<{ key: string; state: string }>(`SELECT key, state FROM "${schema.name}"."together_webhook_events"`);
      expect(rows).toEqual([{ key: `together:event:${event.id}`, state: 'completed' }]);
    } finally {
      await close(module);
    }
  });

  it('the watch-state example polls once into its row, and the next poll announces nothing again', async () => {
    const schema = await freshDatabase('watch_state');
    const api = await startFakeTogetherApi();
    const delivered: string[] = [];
    const receiver = await serveWebhooks(createWebhooks({ secret, store: memoryStore() }).onAny((event) => void delivered.push(event.id)));
    try {
      api.create('batch', { id: 'b-readme', status: 'COMPLETED', completed_at: new Date().toISOString() });
      for (const [name, value] of Object.entries({ DATABASE_URL: schema.url, TOGETHER_API_KEY: api.apiKey, TOGETHER_BASE_URL: api.baseURL, WEBHOOK_URL: receiver.url })) {
        vi.stubEnv(name, value);
      }
      vi.mocked(console.log).mockClear();
      const file = await writeReadmeExample(packageDir, 'example-watch-state');
      // Imported twice, as two cron invocations: each import runs the module afresh.
      await import(/* @vite-ignore */ `${file}?first`);
      await import(/* @vite-ignore */ `${file}?second`);
      expect(vi.mocked(console.log).mock.calls).toEqual([['1 announced, 1 delivered, 0 pending'], ['0 announced, 0 delivered, 0 pending']]);
      expect(delivered).toEqual(['batch:b-readme:COMPLETED']);
      const rows = await schema.query<{ key: string; snapshot: string }>(`SELECT key, snapshot FROM "${schema.name}"."together_watch_state"`);
      expect(rows.map((row) => row.key)).toEqual(['default']);
      expect(JSON.parse(rows[0]!.snapshot)).toMatchObject({ jobs: { 'batch:b-readme': { state: 'COMPLETED' } }, pending: [] });
    } finally {
      await receiver.close();
      await api.close();
    }
  });

  it('the psql one-liner creates the table (against the build)', async () => {
    const schema = await freshDatabase('psql');
    const script = readmeExample(readmePath, 'example-psql');
    const { code, output } = await runToEnd('bash', ['-euo', 'pipefail', '-c', script], { DATABASE_URL: schema.url });
    expect(code, output).toBe(0);
    const tables = await schema.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'together_webhook_events'`, [schema.name]);
    expect(tables).toHaveLength(1);
  });

  it('the conformance example, run as its own process against the build, passes and exits by itself', async () => {
    const schema = await freshDatabase('conformance');
    // An ES module file in the package, so its imports resolve as in an app (the package by name, its dist).
    const file = await writeReadmeExample(packageDir, 'example-conformance');
    const { code, signal, output } = await runToEnd(process.execPath, [file], { DATABASE_URL: schema.url });
    expect(signal, `still running after ${EXIT_DEADLINE_MS} ms (a pool left open?); output:\n${output}`).toBeNull();
    expect(code, output).toBe(0);
    expect(output).toMatch(/all \d+ checks passed/);
  });
});
