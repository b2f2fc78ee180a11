// Runs the README's walkthrough verbatim: the ```sh blocks titled "walkthrough", in a scratch
// directory, with `together-webhooks` on PATH as the built executable. The receiver block runs in
// the background; the others run in order in one shell, as a reader pastes them into a terminal.
// The ```text blocks must match what the commands really print (ids, times and ports aside).
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, freePort, runCommand, start, stop, waitForOutput, tempDir } from './helpers.js';

interface Block {
  lang: string;
  title: string | undefined;
  code: string;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const title = /title="([^"]+)"/.exec(match[2] ?? '')?.[1];
    blocks.push({ lang: match[1] ?? '', title, code: match[3] ?? '' });
  }
  return blocks;
}

/** Output with what changes from run to run replaced: ids, times, ports, ages, column padding. */
function normalize(text: string): string {
  return text
    .replace(/evt_[0-9a-f]{24}/g, 'evt_X')
    .replace(/\d+\.\d ms/g, 'N ms')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/signed \d+ s ago/g, 'signed N s ago')
    .replace(/409 {2}in_progress/g, '200  duplicate')
    .replace(/ +/g, ' ');
}

describe('README walkthrough', () => {
  it('runs verbatim, and prints what the README shows', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const blocks = fencedBlocks(readme);
    const receiver = blocks.filter((block) => block.lang === 'sh' && block.title === 'walkthrough: receiver');
    const steps = blocks.filter((block) => block.lang === 'sh' && block.title === 'walkthrough');
    expect(receiver).toHaveLength(1);
    expect(steps.length).toBeGreaterThanOrEqual(4);

    const dir = await tempDir('tw-readme-');
    const binDir = join(dir, 'bin');
    await mkdir(binDir);
    await writeFile(join(binDir, 'together-webhooks'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(binDir, 'together-webhooks'), 0o755);
    const env = { PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`, PORT: String(await freePort()) };

    const listener = start('bash', ['-euo', 'pipefail', '-c', receiver[0]!.code], { env, cwd: dir });
    listener.stdin!.end();
    let received = '';
    listener.stdout!.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    listener.stderr!.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    await waitForOutput(() => received, /listening on http:\/\/127\.0\.0\.1:\d+\/webhooks/);
    expect(received).toContain(`http://127.0.0.1:${env.PORT}/webhooks`);

    const script = steps.map((step) => step.code).join('\n');
    const result = await runCommand('bash', ['-euo', 'pipefail', '-c', script], { env, cwd: dir, timeoutMs: 60_000 });
    expect(result.stderr.replace(/together-webhooks verify: the delivery does not verify: signature_mismatch\n/, '')).toBe('');
    expect(result.code).toBe(0);

    const out = result.stdout;
    expect(out).toMatch(/✓ #1 {2}200 {2}processed/);
    expect(out).toContain('1 request: 1 processed — as expected');
    expect(out).toMatch(/^5 requests: 1 processed(, \d (duplicate|in_progress))+ — as expected$/m);
    expect(out).toMatch(/✓ #1 {2}401 {2}rejected signature_mismatch/);
    expect(out).toMatch(/✓ #1 {2}401 {2}rejected timestamp_too_old/);
    expect(out).toMatch(/^✓ verified: batch\.completed evt_1 /m);
    expect(out).toMatch(/likely cause: the body differs from the one that was signed only by a trailing newline/);
    expect(out).toMatch(/^exit code 1$/m);

    await waitForOutput(() => received, /200 processed +fine_tune\.completed evt_/);
    expect(await stop(listener, 'SIGINT')).toBe(0);

    // Every line of the README's sample output is real output (a line with "…" is shortened there).
    const actual = normalize(`${received}\n${out}`);
    const samples = blocks.filter((block) => block.lang === 'text').flatMap((block) => block.code.split('\n'));
    for (const line of samples) {
      if (line.trim() === '' || line.includes('…') || line.startsWith('5 requests:')) continue;
      expect(actual, `README sample line: ${line}`).toContain(normalize(line));
    }
  });
});
