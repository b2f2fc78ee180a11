/**
 * @module merge — what a poll writes when another poll wrote first (a compare-and-set conflict):
 * a three-way merge of what both read, what this poll made of it, and what the other stored.
 * Nothing announced by either is lost, nothing is left pending twice, and an event the other
 * poll delivered is not kept pending here.
 */
import type { WatchSnapshot } from './state.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Merges this poll's changes (`mine` against `base`, with `delivered` the event ids it
 * delivered) into `theirs`, the snapshot stored by the poll that won. @internal
 */
export function mergeSnapshots(base: WatchSnapshot, mine: WatchSnapshot, theirs: WatchSnapshot, delivered: ReadonlySet<string>): WatchSnapshot {
  const jobs = new Map(Object.entries(theirs.jobs));
  for (const key of new Set([...Object.keys(base.jobs), ...Object.keys(mine.jobs)])) {
    const ours = mine.jobs[key];
    // Changed by this poll only. Changed by both: theirs, read after this poll's read, stands (at
    // worst a state is announced again, with the same id, which the receiver counts once).
    if (same(base.jobs[key], ours) || !same(base.jobs[key], theirs.jobs[key])) continue;
    if (ours === undefined) jobs.delete(key);
    else jobs.set(key, ours);
  }
  const pending = theirs.pending.filter((entry) => !delivered.has(entry.event.id));
  const known = new Set(pending.map((entry) => entry.event.id));
  const inBase = new Set(base.pending.map((entry) => entry.event.id));
  for (const entry of mine.pending) {
    const id = entry.event.id;
    // Pending when both read it and gone from theirs: the other poll delivered it.
    if (known.has(id) || inBase.has(id) || delivered.has(id)) continue;
    // Announced by both (the other stored the same job state and no longer has it pending): delivered there.
    if (same(theirs.jobs[entry.job], mine.jobs[entry.job]) && !same(base.jobs[entry.job], theirs.jobs[entry.job])) continue;
    pending.push(entry);
    known.add(id);
  }
  return { jobs: Object.fromEntries(jobs), pending };
}
