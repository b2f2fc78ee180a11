/**
 * @module client-aborted — the error of a request whose client went away before its body was read.
 */

/**
 * The client closed the connection before the whole body arrived: no answer can reach it, and
 * nothing is wrong with the app. The adapters report it through `onError` (phase `adapter`) and
 * write nothing; a logger recognises it by `name === 'ClientAbortedError'` (each adapter bundles
 * its own copy of this class, so `instanceof` holds only within one adapter).
 */
export class ClientAbortedError extends Error {
  override readonly name = 'ClientAbortedError';

  constructor(message = 'the client closed the request before its body was read; no answer was written') {
    super(message);
  }
}
