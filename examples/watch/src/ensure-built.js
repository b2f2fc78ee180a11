/**
 * Builds the workspace packages this example imports when they are not built yet (a fresh clone),
 * so `pnpm --filter @x/example-watch start` is the only command needed after `pnpm install`.
 * Runs in its own process: a failed import stays cached in the process that tried it.
 */
import { spawnSync } from 'node:child_process';

try {
  await import('./run.js');
} catch (error) {
  const code = /** @type {{ code?: string }} */ (error).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
  console.log('[watch] building the packages this example uses (first run only)');
  const built = spawnSync('pnpm', ['--filter', '@x/example-watch^...', 'run', 'build'], { stdio: 'inherit' });
  process.exitCode = built.status ?? 1;
}
