/**
 * @module @x/together-webhooks-test-support — what the repository's tests share: signed deliveries,
 * loopback servers and ports, HTTP clients that frame bodies exactly, stores that answer busy or
 * fail, README examples, and OpenSSL signatures. Test-only TypeScript, never built or published.
 * The table of delivery cases, the redis-server launcher, the README test, the examples' starter
 * and the other runtimes' binaries are subpaths (`/delivery-cases`, `/redis-server`,
 * `/readme-example`, `/start-example`, `/runtimes`): they register vitest hooks or probe the machine
 * when imported. `/receivers` (the table's receivers, core only) is what a runtime child bundles.
 */
export { STANDARD_TEST_SECRET, TEST_SECRET } from './secrets.js';
export { makeEvent, nextEventId, notUtf8Event, signedBytes, signedDelivery, standardDelivery, type SignedDelivery } from './deliveries.js';
export { close, freePort, listen, waitForServer } from './ports.js';
export { post, sendHalfThenVanish, sendRequest, type Answer, type WireAnswer, type WireOptions } from './http.js';
export { busyStore, unreachableStore } from './stores.js';
export { readmeExample, writeReadmeExample, writeReadmeSource } from './readme.js';
export { opensslAvailable, opensslSignature, type OpensslSignInput } from './openssl.js';
export { fetchListener } from './fetch-listener.js';
