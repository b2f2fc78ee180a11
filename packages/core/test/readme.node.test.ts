import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

it('runs the README custom-store example through the conformance kit', async () => {
  const block = /<!-- custom-store-example -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const dir = fileURLToPath(new URL('./.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-custom-store.ts`;
  writeFileSync(file, block!);
  const example = (await import(/* @vite-ignore */ file)) as { report: { passed: boolean; checks: unknown[] } };
  expect(example.report.passed).toBe(true);
  expect(example.report.checks.length).toBeGreaterThanOrEqual(12);
});
