/**
 * @module page — the Chromium benchmark page script (bundled for the browser: the portable
 * build). The page's clock is coarse but runs (unlike workerd's), so the time of a batch is taken
 * here: `__bench(case, n)` resolves to the milliseconds n runs took.
 */
import { prepareSubtleCases, runCase } from './subtle-cases.mjs';

const setup = prepareSubtleCases();

globalThis.__bench = async (name, n) => {
  const { cases, cryptoBackend } = await setup;
  const fn = cases[name];
  if (!fn) throw new Error(`unknown case ${name}`);
  const start = performance.now();
  await runCase(fn, n);
  return { ms: performance.now() - start, cryptoBackend };
};
