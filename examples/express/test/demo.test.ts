import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('pnpm demo (scripts/demo.mjs)', () => {
  it('exits 0 and prints every delivery of the table as expected', { timeout: 60_000 }, () => {
    const run = spawnSync(process.execPath, ['scripts/demo.mjs'], { cwd: root, encoding: 'utf8', timeout: 45_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    const row = (label: string) => lines.find((line) => line.includes(label)) ?? `(no row "${label}")`;
    expect(row('fine_tune.completed, valid')).toMatch(/^✓ .*\| 200 +\| processed +\| 1 /);
    expect(row('the same delivery again')).toMatch(/^✓ .*\| 200 +\| duplicate +\| 1 /);
    expect(row('20 concurrent copies')).toMatch(/^✓ .*processed x1.*\| 1 /);
    expect(row('tampered body')).toMatch(/^✓ .*\| 401 +\| rejected \(signature_mismatch\) +\| 0 /);
    expect(row('timestamp an hour old')).toMatch(/^✓ .*\| 401 +\| rejected \(timestamp_too_old\) +\| 0 /);
    expect(row('unknown type')).toMatch(/^✓ .*\| 200 +\| processed +\| 1 /);
    expect(row('handler throws')).toMatch(/^✓ .*\| 500 +\| failed +\| 1 /);
    expect(row("the sender's retry")).toMatch(/^✓ .*\| 200 +\| processed +\| 2 /);
    // Queue mode runs when Redis answers (always under CI, where .ci/run starts it).
    if (process.env['CI'] || !run.stdout.includes('the queue-mode row needs Redis')) {
      expect(row('queue mode (BullMQ)')).toMatch(/^✓ .*\| 202 +\| queued in \d+ ms +\| 1 /);
      expect(run.stdout).toContain('All 9 deliveries answered as expected.');
    } else {
      console.warn('demo test: no Redis on 127.0.0.1:6379, the queue-mode row was not checked');
      expect(run.stdout).toContain('All 8 deliveries answered as expected.');
    }
  });
});
