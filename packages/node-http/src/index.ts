/**
 * @module @x/together-webhooks-node-http — internal, bundled into each Node adapter: the one
 * raw-body reader for Node streams, the answers an adapter decides itself, and the response
 * writer. Not published.
 */
export { ClientAbortedError } from './client-aborted.js';
export { readRawBody } from './read-body.js';
export { nodeAdapterResult, type NodeRequest } from './node-request.js';
export { misconfiguredResult } from './results.js';
export { writeResult } from './write-result.js';
