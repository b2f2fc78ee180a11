import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { storeConformanceChecks, type StoreConformanceReport } from '@x/together-webhooks-core/testing';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

it('runs the README custom-store example through the conformance kit, every check passing', async () => {
  const block = /<!-- custom-store-example -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const dir = fileURLToPath(new URL('./.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-custom-store.ts`;
  writeFileSync(file, block!);
  // The kit rejects on a failed check, so the import itself fails then; the report shows what ran.
  const { report } = (await import(/* @vite-ignore */ file)) as { report: StoreConformanceReport };
  expect(report.checks.map((check) => check.name)).toEqual([...storeConformanceChecks]);
  expect(report.checks.filter((check) => !check.passed)).toEqual([]);
  for (const check of report.checks) expect(Number.isFinite(check.durationMs) && check.durationMs >= 0, check.name).toBe(true);
}, 30_000);
