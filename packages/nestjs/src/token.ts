/**
 * @module token — the injection token of the receiver the module serves.
 */

/**
 * The injection token of the `Webhooks` receiver `TogetherWebhooksModule` serves, exported by the
 * module: `@Inject(TOGETHER_WEBHOOKS) webhooks: Webhooks` elsewhere in the app (to `dispatch()`
 * an event the app produced itself, for example).
 */
export const TOGETHER_WEBHOOKS = Symbol.for('@x/together-webhooks-nestjs:webhooks');
