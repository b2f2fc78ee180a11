/**
 * @module measure — runs inside Bun, Deno or Node: verifySync (the build the runtime selects)
 * against the runtime's own floor, node:crypto createHmac fed the timestamp and the body in two
 * update() calls plus timingSafeEqual (spec section 9), with and without JSON.parse; and verify()
 * (async) over the same delivery, each call awaited. Prints
 * one line of JSON: ops per second of this process's own CPU time (so other load on a shared
 * machine does not skew the ratios), the best of 5 interleaved rounds.
 */
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cryptoBackend, sign, verify, verifySync } from '@x/together-webhooks-core';
import { SECRET, eventBytes, hexBytes } from './payload.mjs';

const body = eventBytes(1024);
const headers = sign(body, { secret: SECRET });
const timestamp = headers['x-together-timestamp'];
const expected = hexBytes(headers['x-together-signature']);
const prefix = `${timestamp}.`;
const options = { secret: SECRET };
const bodyBuffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);

function floor() {
  const digest = createHmac('sha256', SECRET).update(prefix).update(body).digest();
  if (!timingSafeEqual(digest, expected)) throw new Error('floor: mismatch');
}

const cases = {
  floor,
  'floor+parse': () => {
    floor();
    JSON.parse(bodyBuffer.toString('utf8'));
  },
  verifySync: () => {
    verifySync({ body, headers }, options);
  },
  verify: () => verify({ body, headers }, options),
};

const cpuMs = (start) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};

/** Ops per CPU-second of `fn` over about `ms` milliseconds of CPU time; a promise it returns is awaited. */
async function opsPerSecond(fn, ms) {
  let ops = 0;
  let batch = 64;
  const start = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) {
      const pending = fn();
      if (pending) await pending;
    }
    ops += batch;
    batch = Math.min(batch * 2, 4096);
    elapsed = cpuMs(start);
  }
  return (ops * 1000) / elapsed;
}

const runtime = globalThis.Deno ? `Deno ${globalThis.Deno.version.deno}` : globalThis.Bun ? `Bun ${globalThis.Bun.version}` : `Node ${process.versions.node}`;
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const fn of Object.values(cases)) await opsPerSecond(fn, 100);
for (let round = 0; round < 5; round++) {
  for (const [name, fn] of Object.entries(cases)) samples[name].push(await opsPerSecond(fn, 100));
}
console.log(JSON.stringify({ runtime, cryptoBackend, opsPerSecond: Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Math.max(...values)])) }));
