/**
 * @module diagnosis/checks/configuration — the receiver's secrets: the ones the SDK refuses (a
 * TypeError when the receiver starts, before any delivery), and whether they would verify this one.
 */
import type { Check } from '../check.js';
import { secretName } from '../facts.js';

/** Surrounding whitespace (a newline copied with it): the core refuses it; the trimmed secret is tried. */
export const secretWhitespace: Check = {
  name: 'secret with surrounding whitespace',
  find: ({ padded, matching, secrets }) =>
    padded.map((index) => {
      const trimmedVerifies = matching === index;
      return {
        kind: 'secret_whitespace',
        secret: index,
        trimmedVerifies,
        message:
          `${secretName(index, secrets.length)} has leading or trailing whitespace (often a newline copied with it), which the SDK refuses: trim it` +
          (trimmedVerifies ? '; trimmed, it verifies this delivery' : ''),
      };
    }),
};

/**
 * A secret the scheme cannot use as a key (Standard Webhooks: not `whsec_` + base64); whether its
 * text, used as the key, made this signature (a sender that keys the HMAC with the string).
 */
export const secretEncoding: Check = {
  name: 'secret the scheme refuses',
  find: (facts) =>
    [...facts.refused].map(([index, reason]) => {
      const asTextVerifies =
        facts.parts !== undefined && facts.keyedBy((secret, at) => (at === index ? [secret] : []), facts.wire.prefix(facts.parts)) === index;
      return {
        kind: 'secret_encoding',
        secret: index,
        asTextVerifies,
        message:
          `${secretName(index, facts.secrets.length)}${reason} (the SDK refuses it when the receiver starts)` +
          (asTextVerifies
            ? '; the delivery was signed with its text as the key: give the sender and the receiver a whsec_ secret (whsec_ and the base64 of the key bytes)'
            : ''),
      };
    }),
};
