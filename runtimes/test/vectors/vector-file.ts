/**
 * @module vector-file — what the two conformance files (`conformance/vectors.json`,
 * `conformance/standard-webhooks-vectors.json`) have in common: the signing time, a vector as
 * written and as committed (its body as base64, so every byte is exact), and the rule that names
 * are unique, since a runtime's report names each vector it ran.
 */

/** 2026-01-01T00:00:00Z, in Unix seconds: when every vector is signed unless it says otherwise. */
export const T = 1767225600;

/** Unix seconds as the milliseconds a verifier's `now` returns. */
export const ms = (seconds: number): number => seconds * 1000;

/** Headers as a delivery may carry them: a record (a value may be an array, a header given twice), or `[name, value]` pairs. */
export type HeaderInput = Record<string, string | string[]> | [string, string][];

/** The verifier's options a vector sets. */
export interface VectorOptions {
  toleranceSeconds?: number;
  maxBodyBytes?: number;
}

/** A verification vector as written: the delivery, what the verifier is given, and the outcome it must reach. */
export interface VectorDefinition<Expectation> {
  name: string;
  body: Buffer;
  headers: HeaderInput;
  /** The verifier's secret (or secrets, in rotation); the file's secret when not given. */
  secret?: string | string[];
  options?: VectorOptions;
  /** The verifier's clock, in ms; the signing time when not given. */
  now?: number;
  expect: Expectation;
}

/** A verification vector as committed. */
export interface VectorEntry<Expectation> {
  name: string;
  secret: string | string[];
  options: VectorOptions;
  now: number;
  headers: HeaderInput;
  bodyBase64: string;
  expect: Expectation;
}

/** A vector as committed, every default filled in. */
export function vectorEntry<Expectation>(definition: VectorDefinition<Expectation>, fileSecret: string): VectorEntry<Expectation> {
  const { name, body, headers, secret = fileSecret, options = {}, now = ms(T), expect } = definition;
  return { name, secret, options, now, headers, bodyBase64: body.toString('base64'), expect };
}

/** Throws when two vectors of a file share a name. */
export function assertUniqueNames(file: string, contents: { vectors: readonly { name: string }[]; signVectors: readonly { name: string }[] }): void {
  const names = [...contents.vectors, ...contents.signVectors].map((vector) => vector.name);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new Error(`${file}: vector names must be unique, not ${repeated.join(', ')}`);
}
