/**
 * @module measure — ops/sec of several cases measured side by side, for ratios within one run.
 *
 * Time is this process's CPU time (user + system, all its threads), not wall time: on a shared
 * two-core machine other processes take the CPU away for whole milliseconds, which wall time
 * charges to whichever case was running. CPU time also counts work a case causes on Node's
 * helper threads (garbage collection), so nothing is hidden by it.
 *
 * Hand-rolled rather than tinybench: tinybench runs each task's samples back to back, so a burst
 * of load from another process (two cores, shared with tests and builds) lands on whichever case
 * is running and skews the ratios this benchmark exists to report. Here every round runs one
 * batch of each case, in a rotating order, and each case reports the median of its rounds: drift
 * and bursts spread over all cases instead of one.
 */

/** Keeps results observable so the JIT cannot drop the work being measured. */
export let sink = 0;
export function consume(value) {
  sink = (sink + (value === undefined || value === null ? 1 : typeof value === 'object' ? 2 : 3)) | 0;
}

/**
 * @param {{ name: string, fn: () => unknown, async?: boolean }[]} cases
 * @param {{ rounds?: number, sampleMs?: number, warmupMs?: number }} [settings]
 * @returns {Promise<Map<string, { hz: number, spread: number, iterations: number, rounds: number[] }>>}
 *   per case: median ops/sec, the spread ((p75 - p25) / median) and the ops/sec of each round, in
 *   round order (for ratios paired by round: see {@link pairedRatio})
 */
export async function measure(cases, { rounds = 21, sampleMs = 30, warmupMs = 250 } = {}) {
  const batches = [];
  for (const entry of cases) {
    // Warm up (JIT tiers, caches), then size one batch to take about sampleMs.
    let warm = 0;
    while (warm < warmupMs) warm += await runBatch(entry, 16);
    let size = 1;
    for (;;) {
      const elapsed = await runBatch(entry, size);
      if (elapsed >= sampleMs / 4 || size >= 1 << 24) {
        size = Math.max(1, Math.round((size * sampleMs) / Math.max(elapsed, 0.001)));
        break;
      }
      size *= 2;
    }
    batches.push({ entry, size, samples: [] });
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < batches.length; k++) {
      const batch = batches[(k + round) % batches.length];
      const elapsed = await runBatch(batch.entry, batch.size);
      batch.samples.push((batch.size * 1000) / elapsed);
    }
  }
  const results = new Map();
  for (const { entry, size, samples } of batches) {
    const sorted = [...samples].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    results.set(entry.name, {
      hz: median,
      spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median,
      iterations: size,
      rounds: samples,
    });
  }
  return results;
}

/**
 * The median over rounds of `timeOf(round)`, a time ratio built from cases' per-round times
 * (1 / ops/sec). Pairing by round cancels what changed between rounds (load from other
 * processes, frequency), which a ratio of two medians would keep.
 * @param {Map<string, { rounds: number[] }>} results
 * @param {(time: (name: string) => number) => number} timeOf
 */
export function pairedRatio(results, timeOf) {
  const count = Math.min(...[...results.values()].map((result) => result.rounds.length));
  const ratios = [];
  for (let round = 0; round < count; round++) ratios.push(timeOf((name) => 1 / results.get(name).rounds[round]));
  return quantile(ratios.sort((a, b) => a - b), 0.5);
}

/** Runs `size` calls and returns the CPU milliseconds they took. */
async function runBatch({ fn, async }, size) {
  const start = process.cpuUsage();
  if (async) for (let i = 0; i < size; i++) consume(await fn());
  else for (let i = 0; i < size; i++) consume(fn());
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

function quantile(sorted, q) {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}
