/**
 * @module diagnosis/wire — what the diagnosis knows of each scheme's wire format beyond what the
 * core decides: how its signature header lists entries and in which form, what a signature covers
 * and how a secret becomes its key, so that a failure can be explained. Whether a delivery
 * verifies is always the core's answer; this only shapes the guesses about why it does not.
 */
import type { WebhookScheme } from '@x/together-webhooks-core';
import type { SchemeName } from '../schemes.js';
import type { SignatureFormat } from './types.js';
import { standard } from './wire-standard.js';
import { together } from './wire-together.js';

/** The parts of a delivery its signature covers besides the body, checked well-formed. */
export interface SignedParts {
  signature: string;
  timestamp: number;
  id?: string;
}

/** What is wrong with the form of the signature header, and the header as the scheme wants it. */
export interface EntryProblem {
  format: SignatureFormat;
  message: string;
  /** The header re-encoded in the scheme's form, when only the encoding is wrong. */
  repaired?: string;
  /** Said when the repaired header verifies. */
  fixed?: string;
}

/** One scheme's wire format, as the diagnosis reasons about it. */
export interface WireFormat {
  name: SchemeName;
  scheme: WebhookScheme;
  label: string;
  /** The header names, lowercase. */
  headers: { signature: string; timestamp: string; id?: string };
  /** The body a sender sends, in words. */
  envelope: string;
  /** The signature header's entries, split as the core splits them. */
  entries(header: string): string[];
  /** Why no entry can match as written; nothing when one has the scheme's form. */
  entryProblem(header: string): EntryProblem | undefined;
  /** The MACs of the entries the core compares. */
  macs(header: string): Uint8Array[];
  /** What is signed before the body. */
  prefix(parts: SignedParts): string;
  /** What a sender that leaves a part out signs before the body instead. */
  careless(parts: SignedParts): { omitted: 'id' | 'timestamp'; prefix: string; message: string };
  /** The HMAC key the scheme makes of a secret the core accepted. */
  key(secret: string): string | Uint8Array;
  /** The keys a sender that gets the secret's encoding wrong uses instead, and what it did. */
  wrongKeys(secret: string): { keys: (string | Uint8Array)[]; message: string };
}

/** Each scheme's wire format, by name. */
export const wireFormats: Readonly<Record<SchemeName, WireFormat>> = { together, standard };
