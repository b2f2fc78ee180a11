/**
 * @module @x/together-webhooks-otel — OpenTelemetry traces and metrics for together-webhooks: pass
 * `openTelemetry()` as the `telemetry` option of `createWebhooks` or `createEventRouter`.
 */
export { openTelemetry, type OpenTelemetryOptions } from './open-telemetry.js';
export {
  ATTR_CLAIM_STATE,
  ATTR_EVENT_TYPE,
  ATTR_OUTCOME,
  ATTR_REJECTION_CODE,
  ATTR_STORE_OWNED,
  INSTRUMENTATION_NAME,
  MESSAGING_SYSTEM,
} from './attributes.js';
