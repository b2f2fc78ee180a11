import { expect, it } from 'vitest';
import { run } from '../src/run.js';

it('forwards every scripted transition from the fake Together API to the Express example, once each', async () => {
  const lines: string[] = [];
  const result = await run({ apiKey: '', log: (line: string) => lines.push(line), intervalMs: 100, stepMs: 300 });
  expect(result.complete).toBe(true);
  expect([...result.received].sort()).toEqual([...(result.expected ?? [])].sort());
  expect(result.expected).toHaveLength(10);
  expect(result.apiRequests).toBeGreaterThan(10);
  expect(lines.some((line) => line.startsWith('[express] received fine_tune.completed'))).toBe(true);
  expect(lines.filter((line) => line.includes('error'))).toEqual([]);
});
