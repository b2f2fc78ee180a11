import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileWatchState, memoryWatchState, type WatchState } from '../src/index.js';
import { runWatchStateConformance, WatchStateConformanceError, watchStateConformanceChecks } from '../src/testing/index.js';
import { onCleanup } from './helpers.js';

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-state-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

// Each implementation: a factory the kit calls with a location name (the same name twice reaches one stored state).
const implementations: [string, () => (key: string) => WatchState][] = [
  [
    'memoryWatchState',
    () => {
      const states = new Map<string, WatchState>();
      return (key) => states.get(key) ?? states.set(key, memoryWatchState()).get(key)!;
    },
  ],
  [
    'fileWatchState',
    () => {
      const dir = tempDir();
      // Separate objects over one file, as two processes of a host would have.
      return (key) => fileWatchState(join(dir, `${encodeURIComponent(key)}.json`));
    },
  ],
];

describe.each(implementations)('%s keeps the WatchState contract', (_name, factory) => {
  it('passes every conformance check', async () => {
    const report = await runWatchStateConformance(factory());
    expect(report.checks.map((check) => [check.name, check.passed])).toEqual(watchStateConformanceChecks.map((name) => [name, true]));
  });
});

describe('fileWatchState', () => {
  it('writes through a temporary file renamed over the state, leaving nothing else behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'state.json');
    const state = fileWatchState(path);
    const first = await state.write({ jobs: { 'batch:b1': { state: 'COMPLETED' } }, pending: [] }, null);
    expect(first.written).toBe(true);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ snapshot: { jobs: { 'batch:b1': { state: 'COMPLETED' } } } });
  });

  it.each([
    ['not JSON', 'not json{', /not JSON/],
    ['no version', '{"snapshot":{"jobs":{},"pending":[]}}', /no version/],
    ['not a snapshot', '{"version":"1","snapshot":{"jobs":3}}', /expected \{ jobs, pending \}/],
  ])('a file that is %s is an error naming the file, never a fresh start', async (_case, content, message) => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(path, content);
    await expect(fileWatchState(path).read()).rejects.toThrow(message);
    await expect(fileWatchState(path).read()).rejects.toThrow(path);
  });

  it('rejects an empty path at construction', () => {
    expect(() => fileWatchState('')).toThrow(TypeError);
  });
});

describe('the conformance kit catches a state that breaks the contract', () => {
  // Last write wins, whatever the version: what a plain GET/SET store would do.
  const noCompareAndSet = (): ((key: string) => WatchState) => {
    const stored = new Map<string, { text: string; version: number }>();
    return (key) => ({
      read: () => {
        const entry = stored.get(key);
        return Promise.resolve(entry ? { snapshot: JSON.parse(entry.text) as never, version: String(entry.version) } : { snapshot: { jobs: {}, pending: [] }, version: null });
      },
      write: (snapshot) => {
        const version = (stored.get(key)?.version ?? 0) + 1;
        stored.set(key, { text: JSON.stringify(snapshot), version });
        return Promise.resolve({ written: true, version: String(version) });
      },
    });
  };

  it('a state without compare-and-set fails the version, race, overlap and conflict checks, each named', async () => {
    const failure = await runWatchStateConformance(noCompareAndSet()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WatchStateConformanceError);
    const failed = (failure as WatchStateConformanceError).report.checks.filter((check) => !check.passed).map((check) => check.name);
    expect(failed).toEqual([
      'a write at a stale version is refused and changes nothing',
      'a write at no version is refused once the state exists',
      'concurrent writes at one version: exactly one is written',
      'overlapping polls lose no announcement and store each once (both may deliver it, under one id)',
      'a poll whose write conflicts re-reads, merges, and keeps the other poll’s changes',
    ]);
  });
});
