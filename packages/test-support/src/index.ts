/**
 * @module @x/together-webhooks-test-support — what the repository's tests share: signed deliveries,
 * loopback servers and ports, HTTP clients that frame bodies exactly, stores that answer busy or
 * fail, README examples, and HMACs and signatures computed by OpenSSL. Test-only TypeScript, never
 * built or published. The table of delivery cases, the redis-server launcher, the README test, the
 * examples' starter, the other runtimes' binaries and the check of the committed known-answer files
 * are subpaths (`/delivery-cases`, `/redis-server`, `/readme-example`, `/start-example`,
 * `/runtimes`, `/known-answers`): they register vitest hooks or probe the machine when imported.
 * `/receivers` (the table's receivers, core only) is what a runtime child bundles.
 */
export { STANDARD_TEST_SECRET, TEST_SECRET } from './secrets.js';
export { makeEvent, nextEventId, notUtf8Event, signedBytes, signedDelivery, standardDelivery, type SignedDelivery } from './deliveries.js';
export { close, freePort, listen, waitForServer } from './ports.js';
export { post, sendHalfThenVanish, sendRequest, type Answer, type WireAnswer, type WireOptions } from './http.js';
export { busyStore, unreachableStore } from './stores.js';
export { readmeExample, writeReadmeExample, writeReadmeSource } from './readme.js';
export { opensslAvailable, opensslHmac, opensslSignature, standardWebhooksKey, type OpensslSignInput } from './openssl.js';
export { fetchListener } from './fetch-listener.js';
