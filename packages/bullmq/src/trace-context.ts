/**
 * @module trace-context — where a job keeps the trace context `enqueue` was given: BullMQ's own
 * field for it, `opts.telemetry.metadata`, as the JSON of the carrier. That is the format
 * BullMQ's OpenTelemetry integration (`bullmq-otel`) writes there, so a queue with it configured
 * (which puts its own context in that field, made from the same active span) stays readable.
 */
import type { TraceCarrier } from '@x/together-webhooks-core';
import { readTraceCarrier } from '@x/together-webhooks-core/internal';
import type { JobsOptions } from 'bullmq';

/** The job options that carry `traceContext`. */
export const traceContextOptions = (traceContext: TraceCarrier): Pick<JobsOptions, 'telemetry'> => ({ telemetry: { metadata: JSON.stringify(traceContext) } });

/** The trace context a job carries, or `undefined` (none, or not a carrier: the trace starts on its own). */
export function traceContextOf(options: JobsOptions | undefined): TraceCarrier | undefined {
  const metadata = options?.telemetry?.metadata;
  if (typeof metadata !== 'string' || metadata.length === 0) return undefined;
  try {
    return readTraceCarrier(JSON.parse(metadata));
  } catch {
    return undefined;
  }
}
