// Runs the README's walkthrough verbatim: the ```sh blocks titled "walkthrough", in a scratch
// directory, with `together-webhooks` on PATH as the built executable. The receiver block runs in
// the background; the others run in order in one shell, as a reader pastes them into a terminal.
// The ```text blocks must match what the commands really print (ids, times and ports aside).
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '@x/together-webhooks-test-support';
import { BIN, runCommand, start, stop, waitForOutput, tempDir } from './helpers.js';

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
    .replace(/ +/g, ' ');
}

/** The answers `trigger` printed (`✓ #3  200  duplicate  4.1 ms`), by request number. */
function answerLines(lines: readonly string[]): Map<number, { ok: boolean; status: string; outcome: string }> {
  const answers = new Map<number, { ok: boolean; status: string; outcome: string }>();
  for (const line of lines) {
    const match = /^ {2}([✓✗]) #(\d+) {2}(\d{3}) {2}(\S+)/.exec(line);
    if (match) answers.set(Number(match[2]), { ok: match[1] === '✓', status: match[3]!, outcome: match[4]! });
  }
  return answers;
}

/**
 * Checks one run of five concurrent copies of one event. Which copy wins, and whether each other
 * one arrives after the winner finished (200 duplicate) or while it runs (409 in_progress), is
 * timing, in the README's own words: so exactly one of #1-#5 is 200 processed, each other one is
 * 200 duplicate or 409 in_progress, each as expected, and the summary counts what the lines show.
 */
function expectFiveConcurrentCopies(lines: readonly string[], where: string): void {
  const answers = answerLines(lines);
  expect([...answers.keys()].sort(), where).toEqual([1, 2, 3, 4, 5]);
  const kinds = [...answers.values()].map(({ ok, status, outcome }) => `${ok ? '✓' : '✗'} ${status} ${outcome}`);
  expect(kinds.filter((kind) => kind === '✓ 200 processed'), where).toHaveLength(1);
  expect(kinds.filter((kind) => kind !== '✓ 200 processed' && kind !== '✓ 200 duplicate' && kind !== '✓ 409 in_progress'), where).toEqual([]);
  const summary = lines.find((line) => line.startsWith('5 requests: '));
  expect(summary, where).toMatch(/^5 requests: (\d+ (processed|duplicate|in_progress)(, |(?= — )))+ — as expected$/);
  const counts = Object.fromEntries([...summary!.matchAll(/(\d+) (processed|duplicate|in_progress)/g)].map((m) => [m[2]!, Number(m[1])]));
  const shown: Record<string, number> = {};
  for (const { outcome } of answers.values()) shown[outcome] = (shown[outcome] ?? 0) + 1;
  expect(counts, where).toEqual(shown);
}

/** The lines from the one starting with `first` through the next summary line (`N request(s): …`). */
function blockFrom(lines: readonly string[], first: RegExp): string[] {
  const start = lines.findIndex((line) => first.test(line));
  if (start === -1) return [];
  const end = lines.findIndex((line, index) => index > start && /^\d+ requests?: /.test(line));
  return lines.slice(start, end === -1 ? undefined : end + 1);
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
    // The walkthrough's failing verifies say why on stderr, one line each: what it shows them for.
    expect(result.stderr.replace(/together-webhooks verify: the delivery does not verify: (signature_mismatch|missing_signature)\n/g, '')).toBe('');
    expect(result.code).toBe(0);

    const out = result.stdout;
    expect(out).toMatch(/✓ #1 {2}200 {2}processed/);
    expect(out).toContain('1 request: 1 processed — as expected');
    const concurrentHeader = /^→ batch\.completed evt_\S+ ×5, 5 at once to /;
    const concurrent = blockFrom(out.split('\n'), concurrentHeader);
    expect(concurrent[0], 'the --repeat 5 --concurrency 5 run').toMatch(concurrentHeader);
    expectFiveConcurrentCopies(concurrent, 'output of --repeat 5 --concurrency 5');
    expect(out).toMatch(/✓ #1 {2}401 {2}rejected signature_mismatch/);
    expect(out).toMatch(/✓ #1 {2}401 {2}rejected timestamp_too_old/);
    expect(out).toMatch(/^✓ verified: batch\.completed evt_1 /m);
    expect(out).toMatch(/likely cause: the body differs from the one that was signed only by a trailing newline/);
    expect(out).toMatch(/^exit code 1$/m);
    expect(out).toMatch(/^✓ verified: batch\.completed msg_1 /m);
    expect(out).toMatch(/likely cause: this delivery carries webhook-signature, not x-together-signature: .*--scheme standard$/m);

    await waitForOutput(() => received, /200 processed +fine_tune\.completed evt_/);
    expect(await stop(listener, 'SIGINT')).toBe(0);

    // Every line of the README's sample output is real output (a line with "…" is shortened
    // there). The sample of the five concurrent copies is one of the runs that can happen: it is
    // held to the same rule as the real run, and its header line must be real.
    const actual = normalize(`${received}\n${out}`);
    const texts = blocks.filter((block) => block.lang === 'text').map((block) => block.code.split('\n'));
    const concurrentSamples = texts.filter((lines) => concurrentHeader.test(lines[0] ?? ''));
    expect(concurrentSamples, 'README samples of the --repeat 5 --concurrency 5 run').toHaveLength(1);
    expectFiveConcurrentCopies(concurrentSamples[0]!, 'README sample of --repeat 5 --concurrency 5');
    expect(actual, `README sample line: ${concurrentSamples[0]![0]!}`).toContain(normalize(concurrentSamples[0]![0]!));
    for (const line of texts.filter((lines) => lines !== concurrentSamples[0]).flat()) {
      if (line.trim() === '' || line.includes('…')) continue;
      expect(actual, `README sample line: ${line}`).toContain(normalize(line));
    }
  });
});
