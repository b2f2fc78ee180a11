/**
 * @module diagnosis/checks/signature — why no configured secret signs the body as received: the
 * body is too large to be checked, the header lists too many signatures or none in the scheme's
 * form, the body was changed after signing, the sender encoded the signature, left a part out of
 * what it signs or keyed the HMAC wrongly; or else, most likely, another secret.
 */
import { DEFAULT_MAX_BODY_BYTES, MAX_SIGNATURES } from '@x/together-webhooks-core/internal';
import { bodyUndos } from '../body-changes.js';
import { foundAny, whenReadable, whenUnsigned, type Check } from '../check.js';
import { secretName } from '../facts.js';
import type { Cause } from '../types.js';

const MIB = 1024 * 1024;
const size = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`);
const signedBy = (secret: number, count: number) => (count > 1 ? ` (signed with ${secretName(secret, count)})` : '');

/** Over the size limit: judged before the signature, so say whether the signature is otherwise good. */
export const bodyTooLarge: Check = whenReadable('body size', ({ rejection, body, matching }) => {
  if (rejection?.code !== 'payload_too_large') return undefined;
  const bytes = body.bytes.byteLength;
  return {
    kind: 'too_large',
    bytes,
    message:
      `the body is ${bytes} bytes, over the limit (maxBodyBytes, ${size(DEFAULT_MAX_BODY_BYTES)} by default): raise maxBodyBytes if deliveries this large are expected` +
      (matching >= 0 ? '; its signature is valid' : ''),
  };
});

/** More signatures than the core considers: rejected whatever they are. */
export const tooManySignatures: Check = whenUnsigned('number of signatures', ({ wire, parts }) => {
  const count = wire.entries(parts.signature).length;
  if (count <= MAX_SIGNATURES) return undefined;
  return {
    kind: 'too_many_signatures',
    count,
    message: `${wire.headers.signature} lists ${count} signatures: at most ${MAX_SIGNATURES} are considered (bounded work), so the delivery is rejected whatever they are`,
  };
});

/** No entry in the scheme's form (a prefix, hex for base64 or the reverse, another version…). */
export const signatureFormat: Check = whenUnsigned('signature format', ({ wire, parts }, found) => {
  if (foundAny(found, ['too_many_signatures'])) return undefined;
  const problem = wire.entryProblem(parts.signature);
  return problem && { kind: 'signature_format', format: problem.format, message: problem.message };
});

/** The body changed after signing: the first usual change whose undoing the core verifies. */
export const bodyChanged: Check = whenUnsigned('body changed after signing', (facts) => {
  for (const { change, undo, message } of bodyUndos) {
    for (const candidate of undo(facts.body)) {
      if (candidate === facts.body.text) continue;
      const secret = facts.signer(candidate);
      if (secret >= 0) return { kind: 'body_changed', change, secret, message: message + signedBy(secret, facts.secrets.length) };
    }
  }
  return undefined;
});

/** The signature, re-encoded in the scheme's form, verifies: the sender encodes it wrongly. */
export const reencodedSignature: Check = whenUnsigned('signature re-encoded', ({ wire, parts, body, values, signer }, found) => {
  if (foundAny(found, ['body_changed'])) return undefined;
  const problem = wire.entryProblem(parts.signature);
  if (problem?.repaired === undefined || problem.fixed === undefined) return undefined;
  if (signer(body.bytes, { ...values, signature: problem.repaired }) < 0) return undefined;
  return { kind: 'signature_format', format: problem.format, message: problem.fixed };
});

/** The signature covers less than the scheme says (no timestamp, no id): a sender's own signing code. */
export const signedContent: Check = whenUnsigned('signed content', ({ wire, parts, refused, secrets, keyedBy }, found) => {
  if (foundAny(found, ['body_changed', 'signature_format'])) return undefined;
  const careless = wire.careless(parts);
  const secret = keyedBy((text, index) => (refused.has(index) ? [] : [wire.key(text)]), careless.prefix);
  if (secret < 0) return undefined;
  return { kind: 'signed_content', omitted: careless.omitted, secret, message: careless.message + signedBy(secret, secrets.length) };
});

/** The HMAC was keyed with the secret in another encoding (its text, or its decoded bytes). */
export const keyEncoding: Check = whenUnsigned('secret used as the key', ({ wire, parts, refused, secrets, usable, keyedBy }, found) => {
  if (foundAny(found, ['body_changed', 'signature_format', 'signed_content'])) return undefined;
  const secret = keyedBy((text, index) => (refused.has(index) ? [] : wire.wrongKeys(text).keys), wire.prefix(parts));
  if (secret < 0) return undefined;
  return { kind: 'key_encoding', secret, message: wire.wrongKeys(usable[secret]!).message + signedBy(secret, secrets.length) };
});

const explained: readonly Cause['kind'][] = ['too_many_signatures', 'signature_format', 'body_changed', 'signed_content', 'key_encoding'];

/** Nothing tried explains it: most likely the delivery was signed with a secret not configured here. */
export const unknownSecretOrBody: Check = whenUnsigned('another secret', ({ secrets }, found) => {
  if (foundAny(found, explained)) return undefined;
  return {
    kind: 'unknown_secret_or_body',
    message:
      `${secrets.length === 1 ? 'the secret does not sign' : `none of the ${secrets.length} secrets signs`} this body, nor any usual re-formatting of it ` +
      '(trailing newline, whitespace, line endings, compact or pretty JSON, byte-order mark): most likely the delivery was signed ' +
      'with another secret (another webhook, another environment, or a rotated secret not configured here); otherwise the body ' +
      'or the timestamp was changed in a way not tried here',
  };
});
