// Runs the README's `watch` block as a reader pastes it: in a scratch directory, with
// `together-webhooks` on PATH as the built executable, against the fake Together API and a
// `together-webhooks listen` receiver (on a free port instead of the block's 4000).
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { startFakeTogetherApi } from '@x/together-webhooks-watch/testing';
import { expect, it } from 'vitest';
import { BIN, SECRET, start, startListen, stop, tempDir, waitForOutput } from './helpers.js';

it('the README watch block forwards a job change to a receiver and saves its state', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```sh title="watch"\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const api = await startFakeTogetherApi();
  try {
    const receiver = await startListen(['--secret', SECRET, '--path', '/webhooks']);
    const port = new URL(receiver.url).port;
    const dir = await tempDir('watch-readme-');
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'together-webhooks'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(bin, 'together-webhooks'), 0o755);
    api.create('batch', { id: 'b-readme' });
    // The block's interval is 30 s: the first poll runs at once, which is all this test needs.
    const child = start('sh', ['-c', code!.replace('127.0.0.1:4000', `127.0.0.1:${port}`)], {
      cwd: dir,
      env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, TOGETHER_API_KEY: api.apiKey, TOGETHER_BASE_URL: api.baseURL, TOGETHER_WEBHOOK_SECRET: SECRET },
    });
    child.stdin!.end();
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await waitForOutput(() => stdout, /poll\s+\d+ requests, 1 announced, 1 delivered, 0 pending, state saved/);
    await receiver.waitFor(/200 processed\s+batch\.created batch:b-readme:VALIDATING/);
    // SIGTERM reaches the whole group: the shell ends at once, the watcher cleanly (it says so).
    await stop(child, 'SIGTERM');
    await waitForOutput(() => stdout, /stopped \(SIGTERM\)/);
    expect(JSON.parse(await readFile(join(dir, '.together-watch.json'), 'utf8'))).toMatchObject({ snapshot: { jobs: { 'batch:b-readme': { state: 'VALIDATING' } } } });
  } finally {
    await api.close();
  }
});
