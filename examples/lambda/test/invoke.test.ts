import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm --filter @x/example-lambda start', () => {
  it('answers each event source with 200 processed, then duplicate, in its own shape', () => {
    const run = spawnSync(process.execPath, ['src/invoke.js'], {
      cwd: here,
      encoding: 'utf8',
      env: { ...process.env, TOGETHER_WEBHOOK_SECRET: 'whsec_example_lambda_test' },
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const source of ['API Gateway REST API (1.0)', 'API Gateway HTTP API (2.0), base64 body', 'Function URL', 'ALB', 'ALB, multi-value headers']) {
      expect(run.stdout).toContain(`\n${source}\n`);
    }
    expect(run.stdout.match(/"outcome":"processed"/g)).toHaveLength(5);
    expect(run.stdout.match(/"outcome":"duplicate"/g)).toHaveLength(5);
    expect(run.stdout).toContain('"statusDescription":"200 OK","isBase64Encoded":false,"multiValueHeaders":{"content-type":["application/json; charset=utf-8"]}');
  });
});
