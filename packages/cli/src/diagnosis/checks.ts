/**
 * @module diagnosis/checks — the diagnosis, as an ordered list of named checks. Each returns its
 * finding or nothing, and may read what the checks before it found: the configuration first, then
 * the headers, then why the signature does not match (the more specific cause first, so that it
 * wins), then what an authentic delivery still gets wrong.
 */
import type { Check } from './check.js';
import { clockSkew, invalidPayload, signedWithSecret } from './checks/authentic.js';
import { secretEncoding, secretWhitespace } from './checks/configuration.js';
import { missingHeader, timestampFormat, wrongScheme } from './checks/headers.js';
import {
  bodyChanged,
  bodyTooLarge,
  keyEncoding,
  reencodedSignature,
  signatureFormat,
  signedContent,
  tooManySignatures,
  unknownSecretOrBody,
} from './checks/signature.js';

/** Every check, in the order they run. */
export const checks: readonly Check[] = [
  secretWhitespace,
  secretEncoding,
  wrongScheme,
  missingHeader('signature'),
  missingHeader('id'),
  missingHeader('timestamp'),
  timestampFormat,
  bodyTooLarge,
  tooManySignatures,
  signatureFormat,
  bodyChanged,
  reencodedSignature,
  signedContent,
  keyEncoding,
  unknownSecretOrBody,
  clockSkew,
  invalidPayload,
  signedWithSecret,
];
