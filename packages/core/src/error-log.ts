/**
 * @module error-log — where reported errors go when the app gave no `onError`: one line each on
 * `console.error`, so nothing a user must act on is silent (spec section 10).
 */

/** What the line names beside the error. @internal */
export interface ErrorLogContext {
  phase: string;
  outcome: string;
  event?: { id: string } | undefined;
}

// One line, bounded: a message is the app's or the store's text, never the secret (the core puts
// no secret into any message), and a stack belongs to an onError the app chose.
const MAX_MESSAGE = 1000;

/**
 * Writes one line for a reported error: the phase, the event id, the outcome answered, and the
 * error's name and first message line. A client that went away (`ClientAbortedError`, from the
 * Node adapters) is not the app's problem and is left out.
 * @internal
 */
export function logReportedError(error: unknown, context: ErrorLogContext): void {
  const name = error instanceof Error ? error.name : typeof error;
  if (name === 'ClientAbortedError') return;
  const text = error instanceof Error ? error.message : String(error);
  let message = text.split('\n', 1)[0]!;
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}…`;
  const id = context.event?.id;
  const event = id === undefined ? '' : ` for event ${JSON.stringify(id.length > 100 ? `${id.slice(0, 100)}…` : id)}`;
  console.error(`[together-webhooks] ${context.phase} error${event}, answered ${context.outcome}: ${name}: ${message}`);
}
