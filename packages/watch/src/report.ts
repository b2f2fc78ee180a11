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
