/**
 * @module diagnosis/checks/authentic — a signature made by a configured secret, over the body as
 * received or as it was before a change: its age against the replay window, an authentic body
 * that is not an event, and which of several secrets made it.
 */
import { whenAuthentic, whenReadable, type Check } from '../check.js';
import { secretName } from '../facts.js';

/** A timestamp outside the replay window, by how many seconds; milliseconds where seconds belong. */
export const clockSkew: Check = whenReadable('replay window', ({ parts, matching, nowSeconds, tolerance, secrets }, found) => {
  const changed = found.find((cause) => cause.kind === 'body_changed');
  const secret = matching >= 0 ? matching : changed?.secret;
  const ageSeconds = nowSeconds - parts.timestamp;
  if (secret === undefined || Math.abs(ageSeconds) <= tolerance) return undefined;
  const beyond = Math.abs(ageSeconds) - tolerance;
  const who = secrets.length > 1 ? ` (made with ${secretName(secret, secrets.length)})` : '';
  const message =
    ageSeconds > 0
      ? `the signature is valid${who}, but it was made ${ageSeconds} s ago, ${beyond} s beyond the ${tolerance} s replay window: ` +
        `a replay of an old delivery, or this clock is at least ${beyond} s ahead of the sender's (sync it with NTP)`
      : `the signature is valid${who}, but its timestamp is ${-ageSeconds} s in the future, ${beyond} s beyond the ${tolerance} s replay window: ` +
        `this clock is at least ${beyond} s behind the sender's (sync it with NTP)` +
        // Milliseconds since the epoch, read as seconds, are some 50 000 years ahead.
        (ageSeconds < -1e9 ? '; the timestamp looks like milliseconds, and it must be seconds' : '');
  return { kind: 'clock_skew', ageSeconds, beyondSeconds: beyond, secret, message };
});

/** Authentic, but the core found no event in it. */
export const invalidPayload: Check = whenAuthentic('event envelope', ({ rejection, body, wire }) => {
  if (rejection?.code !== 'invalid_payload') return undefined;
  return {
    kind: 'invalid_payload',
    message:
      body.bytes.byteLength === 0
        ? 'the body is empty: the signature is valid for an empty body, so the sender signed nothing (or the body was lost before signing)'
        : `${rejection.message}: the sender signed something else; this scheme's envelope is ${wire.envelope}`,
  };
});

/** With several secrets (a rotation), which one signed: by position, never by value. */
export const signedWithSecret: Check = whenAuthentic('which secret signed', ({ matching, secrets, padded, refused }) => {
  if (secrets.length < 2 || padded.length > 0 || refused.size > 0) return undefined;
  return {
    kind: 'signed_with_secret',
    secret: matching,
    of: secrets.length,
    message: `signed with ${secretName(matching, secrets.length)} of the ${secrets.length} configured`,
  };
});
