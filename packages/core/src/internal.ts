/**
 * @module @x/together-webhooks-core/internal — what this project's own tools (the CLI's
 * diagnosis) share with the core instead of copying it: the header reader, the wire format's
 * bounds and patterns, and each scheme's header names. Not a stable API: it changes with the
 * core, in any release.
 */
export { readHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './headers.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS } from './options.js';
export { MAX_SIGNATURES, TIMESTAMP_PATTERN } from './schemes/scheme.js';
export { readTraceCarrier } from './telemetry.js';
export { parseWatchSnapshot } from './watch-snapshot.js';
