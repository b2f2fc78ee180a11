/**
 * @module metrics — the instruments, made once per meter provider: a delivery's
 * `messaging.process.duration` (histogram, seconds) and `messaging.client.consumed.messages`
 * (counter); the watcher's polls (duration, requests, events announced, errors) and its
 * forwarded events (`messaging.client.sent.messages`).
 */
import { createNoopMeter, metrics, type Counter, type Histogram, type Meter, type MeterProvider } from '@opentelemetry/api';
import { DURATION_BUCKETS, INSTRUMENTATION_NAME } from './attributes.js';

/** The instruments every delivery records into. */
export interface DeliveryInstruments {
  duration: Histogram;
  deliveries: Counter;
  /** The API's no-op meter (no SDK registered): nothing to record. */
  noop: boolean;
}

/** The instruments every poll of the watcher records into. */
export interface PollInstruments {
  duration: Histogram;
  requests: Counter;
  announced: Counter;
  errors: Counter;
  sent: Counter;
  noop: boolean;
}

/** Both sets, made together from one meter. */
export interface Instruments {
  delivery: DeliveryInstruments;
  poll: PollInstruments;
}

function createInstruments(provider: MeterProvider): Instruments {
  const meter: Meter = provider.getMeter(INSTRUMENTATION_NAME);
  const noop = meter === createNoopMeter();
  return {
    delivery: {
      noop,
      duration: meter.createHistogram('messaging.process.duration', {
        unit: 's',
        description: 'Duration of processing operation.',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      deliveries: meter.createCounter('messaging.client.consumed.messages', {
        unit: '{message}',
        description: 'Number of messages that were delivered to the application.',
      }),
    },
    poll: {
      noop,
      duration: meter.createHistogram('together_webhooks.watch.poll.duration', {
        unit: 's',
        description: "Duration of one poll of Together's job API, deliveries and state write included.",
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      requests: meter.createCounter('together_webhooks.watch.requests', { unit: '{request}', description: 'Requests made to Together by the watcher.' }),
      announced: meter.createCounter('together_webhooks.watch.events.announced', {
        unit: '{event}',
        description: 'Events announced by the watcher (job changes seen for the first time).',
      }),
      errors: meter.createCounter('together_webhooks.watch.errors', {
        unit: '{error}',
        description: "Errors of the watcher's polls, by phase (poll, deliver, state) and error type.",
      }),
      sent: meter.createCounter('messaging.client.sent.messages', { unit: '{message}', description: 'Number of messages producer attempted to send to the broker.' }),
    },
  };
}

/**
 * Returns the instruments of `provider`, or of the global meter provider looked up at each call:
 * the metrics API has no proxy for a provider registered later, so an SDK started after the
 * receiver (or the watcher) was made is still found. The instruments are made once per provider.
 */
export function instrumentsOf(provider: MeterProvider | undefined): () => Instruments {
  if (provider) {
    const fixed = createInstruments(provider);
    return () => fixed;
  }
  let cachedFor: MeterProvider | undefined;
  let cached: Instruments | undefined;
  return () => {
    const global = metrics.getMeterProvider();
    if (global !== cachedFor || !cached) {
      cached = createInstruments(global);
      cachedFor = global;
    }
    return cached;
  };
}
