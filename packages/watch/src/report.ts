/**
 * @module report — how failures reach the user: through `onError`, or by default as one line on
 * stderr (no stack: a wrong API key fails every poll, and a stack each time buries the one line
 * that says so; an app that wants stacks passes onError).
 */
import type { WatchErrorContext } from './options.js';

/** Prints one line naming the phase and the error. @internal */
export const defaultOnError = (error: unknown, context: WatchErrorContext): void => {
  const line = error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]!}` : String(error);
  console.error(`[together-webhooks-watch] ${context.phase} error: ${line}`);
};

/**
 * The failures of Together's requests being reported, by where they happen (a resource's list, one
 * job's retrieve): a failure that lasts is reported once, when it appears or changes kind, and
 * again only after that request has succeeded in between. @internal
 */
export interface OngoingFailures {
  /** Whether `kind` at `where` is to be reported (it is not what `where` last failed with); records it. */
  isNew(where: string, kind: string): boolean;
  /** The request at `where` succeeded: its next failure is reported. */
  recovered(where: string): void;
}

/** An empty {@link OngoingFailures}. @internal */
export function ongoingFailures(): OngoingFailures {
  const last = new Map<string, string>();
  return {
    isNew(where, kind) {
      if (last.get(where) === kind) return false;
      last.set(where, kind);
      return true;
    },
    recovered(where) {
      last.delete(where);
    },
  };
}

/** A reporter that calls `onError` (default {@link defaultOnError}) and never throws. @internal */
export function reporter(onError: ((error: unknown, context: WatchErrorContext) => void) | undefined): (error: unknown, context: WatchErrorContext) => void {
  const hook = onError ?? defaultOnError;
  return (error, context) => {
    try {
      hook(error, context);
    } catch {
      // A logging hook that throws must not stop the watcher.
    }
  };
}
