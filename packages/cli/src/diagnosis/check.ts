/**
 * @module diagnosis/check — what one check of the diagnosis is: a name, and a function of the
 * facts (and of what the checks before it found) that returns its finding or nothing. The gates
 * say when a check applies, so that each check is only its own reasoning.
 */
import type { Facts } from './facts.js';
import type { SignedParts } from './wire.js';
import type { Cause } from './types.js';

/** A finding: one cause, several of one kind (one per secret), or nothing. */
export type Finding = Cause | readonly Cause[] | undefined;

/** One check, run in its place in the list. */
export interface Check {
  readonly name: string;
  find(facts: Facts, found: readonly Cause[]): Finding;
}

/** The facts once the headers are all there and well-formed. */
export type ReadableFacts = Facts & { parts: SignedParts };

/** A check that needs the signed parts (a signature, a timestamp, an id where the scheme has one). */
export function whenReadable(name: string, find: (facts: ReadableFacts, found: readonly Cause[]) => Finding): Check {
  return { name, find: (facts, found) => (facts.parts === undefined ? undefined : find(facts as ReadableFacts, found)) };
}

/** A check of why no secret the core accepts signs the body as received. */
export function whenUnsigned(name: string, find: (facts: ReadableFacts, found: readonly Cause[]) => Finding): Check {
  return whenReadable(name, (facts, found) =>
    facts.matching >= 0 || facts.refused.size === facts.usable.length ? undefined : find(facts, found),
  );
}

/** A check of a delivery whose body, as received, is signed by a configured secret. */
export function whenAuthentic(name: string, find: (facts: ReadableFacts, found: readonly Cause[]) => Finding): Check {
  return whenReadable(name, (facts, found) => (facts.matching < 0 ? undefined : find(facts, found)));
}

/** Whether an earlier check found a cause of one of `kinds`. */
export function foundAny(found: readonly Cause[], kinds: readonly Cause['kind'][]): boolean {
  return found.some((cause) => kinds.includes(cause.kind));
}
