/**
 * @module metrics — the two instruments: `messaging.process.duration` (histogram, seconds) and
 * `messaging.client.consumed.messages` (counter), made once per meter provider.
 */
import { createNoopMeter, metrics, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { DURATION_BUCKETS, INSTRUMENTATION_NAME } from './attributes.js';

/** The instruments every delivery records into. */
export interface DeliveryInstruments {
  duration: Histogram;
  deliveries: Counter;
  /** The API's no-op meter (no SDK registered): nothing to record. */
  noop: boolean;
}

function createInstruments(provider: MeterProvider): DeliveryInstruments {
  const meter = provider.getMeter(INSTRUMENTATION_NAME);
  return {
    noop: meter === createNoopMeter(),
    duration: meter.createHistogram('messaging.process.duration', {
      unit: 's',
      description: 'Duration of processing operation.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    deliveries: meter.createCounter('messaging.client.consumed.messages', {
      unit: '{message}',
      description: 'Number of messages that were delivered to the application.',
    }),
  };
}

/**
 * Returns the instruments of `provider`, or of the global meter provider looked up at each call:
 * the metrics API has no proxy for a provider registered later, so an SDK started after the
 * receiver was made is still found. The instruments are made once per provider.
 */
export function instrumentsOf(provider: MeterProvider | undefined): () => DeliveryInstruments {
  if (provider) {
    const fixed = createInstruments(provider);
    return () => fixed;
  }
  let cachedFor: MeterProvider | undefined;
  let cached: DeliveryInstruments | undefined;
  return () => {
    const global = metrics.getMeterProvider();
    if (global !== cachedFor || !cached) {
      cached = createInstruments(global);
      cachedFor = global;
    }
    return cached;
  };
}
