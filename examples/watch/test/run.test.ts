import { expect, it } from 'vitest';
import { run } from '../src/run.js';

// What the README says the fake API plays, written out here rather than taken from the program:
// per job, each state that produces an event and the catalog type it must arrive as (spec
// section 4). Intermediate states (`compressing`, `STARTING`, the evaluation's `running`) produce
// none; the first state of each job is the one it is created in.
const expectedEvents: Record<string, Record<string, string>> = {
  fine_tune: { pending: 'fine_tune.created', queued: 'fine_tune.queued', running: 'fine_tune.running', completed: 'fine_tune.completed' },
  batch: { VALIDATING: 'batch.created', IN_PROGRESS: 'batch.in_progress', FAILED: 'batch.failed' },
  endpoint: { STARTED: 'endpoint.started' },
  evaluation: { completed: 'evaluation.completed' },
  video: { completed: 'video.completed' },
};
const expectedCount = Object.values(expectedEvents).reduce((total, states) => total + Object.keys(states).length, 0);

/** `<resource>:<job id>:<state>`, the watcher's event id. */
function parseId(id: string): { resource: string; job: string; state: string } {
  const match = /^([a-z_]+):(.+):([^:]+)$/.exec(id);
  if (!match) throw new Error(`not a watcher event id: ${id}`);
  return { resource: match[1]!, job: match[2]!, state: match[3]! };
}

it('forwards every scripted transition from the fake Together API to the Express example, once each', async () => {
  const lines: string[] = [];
  const result = await run({ apiKey: '', log: (line: string) => lines.push(line), intervalMs: 100, stepMs: 300 });
  expect(lines.filter((line) => line.includes('error'))).toEqual([]);

  // What the Express example says it received: one line per handled event, with its type.
  const handled = lines.flatMap((line) => {
    const match = /^\[express\] received (\S+) (\S+)$/.exec(line);
    return match ? [{ type: match[1]!, id: match[2]!, ...parseId(match[2]!) }] : [];
  });
  expect(handled.map((event) => `${event.resource}:${event.state} ${event.type}`).sort()).toEqual(
    Object.entries(expectedEvents)
      .flatMap(([resource, states]) => Object.entries(states).map(([state, type]) => `${resource}:${state} ${type}`))
      .sort(),
  );
  expect(handled).toHaveLength(expectedCount);

  // One job per resource, each of its events about that job.
  for (const resource of Object.keys(expectedEvents)) {
    expect(new Set(handled.filter((event) => event.resource === resource).map((event) => event.job)).size, resource).toBe(1);
  }
  expect(new Set(handled.map((event) => event.job)).size).toBe(Object.keys(expectedEvents).length);

  // The handler of fine_tune.completed ran, on the fine-tune the events were about.
  const fineTune = handled.find((event) => event.resource === 'fine_tune')!.job;
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[express\\] fine-tune ${fineTune} completed: \\S+`)));

  // The program's own account agrees: it saw the same events, and waited for exactly those.
  expect([...result.received].sort()).toEqual(handled.map((event) => event.id).sort());
  expect([...(result.expected ?? [])].sort()).toEqual(handled.map((event) => event.id).sort());
  expect(result.complete).toBe(true);
  expect(result.apiRequests).toBeGreaterThan(10);
});
