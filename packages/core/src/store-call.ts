/**
 * @module store-call — bounding a store call in time: a store that never answers is a failed
 * store, not a wait (spec section 10).
 */
import { isBranded } from './errors.js';

// The backends other than the idempotency store whose calls are bounded the same way: the
// operation's name, the backend, its method and the option that bounds it.
const OTHER_BACKENDS: Readonly<Record<string, readonly [backend: string, method: string, option: string]>> = {
  enqueue: ['queue', 'enqueue', 'enqueueTimeoutMs'],
  readWatchState: ['watch state', 'read', 'timeoutMs'],
  writeWatchState: ['watch state', 'write', 'timeoutMs'],
};

/**
 * A store call that did not answer within `storeTimeoutMs` (or a queue's enqueue within
 * `enqueueTimeoutMs`, a watch state's read or write within the watcher's `timeoutMs`); the
 * caller treats it as a failure of that backend.
 */
export class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';

  /**
   * @param operation - the method that did not answer: `claim`, `renew`, `complete`, `release`,
   *   `enqueue`, `readWatchState` or `writeWatchState`
   * @param timeoutMs - how long it was given
   */
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    const [backend, method, option] = OTHER_BACKENDS[operation] ?? ['idempotency store', operation, 'storeTimeoutMs'];
    super(`the ${backend}'s ${method}() did not answer within ${timeoutMs} ms (${option})`);
  }

  /** Recognises instances of every build of the package (ESM, CJS, portable). */
  static override [Symbol.hasInstance](value: unknown): value is StoreTimeoutError {
    return isBranded(this, value);
  }

  /** The mark every build recognises. @internal */
  get 'together-webhooks:error'(): string {
    return 'StoreTimeoutError';
  }
}

const IN_PROCESS = /* @__PURE__ */ Symbol.for('@x/together-webhooks-core.inProcessStore');

/**
 * Marks a store whose calls settle within the call itself (the memory store: no I/O, nothing to
 * wait for), so the pipeline spares them the timer that bounds every other store's calls.
 * @internal
 */
export function markInProcess<T extends object>(store: T): T {
  Object.defineProperty(store, IN_PROCESS, { value: true });
  return store;
}

/** Whether `store` was marked by {@link markInProcess}: a wrapper around it is not. @internal */
export function isInProcess(store: object): boolean {
  return (store as Record<symbol, unknown>)[IN_PROCESS] === true;
}

/**
 * Settles as `pending` does, or rejects with a {@link StoreTimeoutError} once `timeoutMs` has
 * passed without an answer: how the pipeline and the lease keeper call every store method. An
 * answer that comes later is dropped (the fenced store operations make a late renew, complete or
 * release harmless; a late claim lapses with its lease).
 *
 * @param pending - the store call's promise (or value)
 * @param timeoutMs - how long to wait for it
 * @param operation - the method's name, for the error
 * @returns what the call answered
 * @example
 * ```ts
 * import { boundedStoreCall } from '@x/together-webhooks-core';
 *
 * const claim = await boundedStoreCall(store.claim(key, leaseMs), leaseMs / 3, 'claim');
 * ```
 */
export function boundedStoreCall<T>(pending: PromiseLike<T> | T, timeoutMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreTimeoutError(operation, timeoutMs)), timeoutMs);
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the store's own rejection, passed on as it is
        reject(error);
      },
    );
  });
}
