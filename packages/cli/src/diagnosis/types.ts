/**
 * @module diagnosis/types — what `verify` answers: the verdict, and the causes its checks found.
 * `verify --json` prints a {@link Diagnosis} as is.
 */
import type { HeadersLike, WebhookVerificationErrorCode } from '@x/together-webhooks-core';
import type { SchemeName } from '../schemes.js';

/** What to diagnose: a delivery as received, and the receiver's settings. */
export interface DiagnoseInput {
  /** The body bytes exactly as received. */
  body: Uint8Array;
  /** The headers as received: a `Headers`, an object or `[name, value]` pairs (read more than once). */
  headers: HeadersLike;
  /** The secrets as configured, untrimmed: whitespace in them is one of the causes looked for. */
  secrets: readonly string[];
  /** The receiver's scheme. Default `together`. */
  scheme?: SchemeName;
  /** The receiver's replay window. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock, ms since the epoch. Default `Date.now()`. */
  now?: number;
}

/** A way the body can differ from the one that was signed. */
export type BodyChange =
  | 'trailing_newline_added'
  | 'trailing_whitespace_added'
  | 'trailing_newline_removed'
  | 'byte_order_mark_added'
  | 'crlf_line_endings'
  | 'lf_line_endings'
  | 'reformatted_from_compact_json'
  | 'reformatted_from_pretty_json';

/** What is wrong with the form of the signature header's entries. */
export type SignatureFormat =
  /** together: `sha256=` (or another label) before the hex digits. */
  | 'prefixed'
  /** together: base64 where hex belongs. */
  | 'base64'
  /** Standard Webhooks: hex where base64 belongs (`v1,<hex>`). */
  | 'hex'
  /** Standard Webhooks: a signature without its `v1,`. */
  | 'unversioned'
  /** Standard Webhooks: only entries of another version (`v1a`), which are skipped. */
  | 'other_version'
  /** Nothing of the scheme's form. */
  | 'unknown';

/** One likely cause of a failure, or a fact about a success. */
export type Cause =
  | { kind: 'secret_whitespace'; secret: number; trimmedVerifies: boolean; message: string }
  | { kind: 'secret_encoding'; secret: number; asTextVerifies: boolean; message: string }
  | { kind: 'wrong_scheme'; scheme: SchemeName; message: string }
  | { kind: 'missing_header'; header: string; similar: string[]; message: string }
  | { kind: 'timestamp_format'; message: string }
  | { kind: 'too_large'; bytes: number; message: string }
  | { kind: 'too_many_signatures'; count: number; message: string }
  | { kind: 'signature_format'; format: SignatureFormat; message: string }
  | { kind: 'body_changed'; change: BodyChange; secret: number; message: string }
  | { kind: 'signed_content'; omitted: 'id' | 'timestamp'; secret: number; message: string }
  | { kind: 'key_encoding'; secret: number; message: string }
  | { kind: 'unknown_secret_or_body'; message: string }
  | { kind: 'clock_skew'; ageSeconds: number; beyondSeconds: number; secret: number; message: string }
  | { kind: 'invalid_payload'; message: string }
  | { kind: 'signed_with_secret'; secret: number; of: number; message: string };

/** The verdict: what the core answered and, when it refused, why it most likely did. */
export interface Diagnosis {
  ok: boolean;
  /** The scheme the delivery was verified with. */
  scheme: SchemeName;
  /** The core's rejection code, or `invalid_secret` when it refused the configuration. */
  code?: WebhookVerificationErrorCode | 'invalid_secret';
  /** The HTTP status a receiver answers for `code`. */
  status?: number;
  /** The check that failed, in plain words. */
  check?: string;
  /** The core's own message. */
  message?: string;
  /** The verified event. */
  event?: { id: string; type: string };
  /** Index (0-based) of the configured secret that made the signature, when one did. */
  secret?: number;
  /** Seconds since the delivery was signed (negative: signed in the future). */
  ageSeconds?: number;
  causes: Cause[];
}
