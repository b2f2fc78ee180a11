/**
 * @module telemetry — the hook point for traces and metrics (spec section 16). A router or receiver
 * given a `telemetry` option opens one scope per delivery (`handle`, `dispatch`, a queue worker's
 * run), runs the handlers and the store calls through it, and closes it with the answer. The core
 * holds no tracing code of its own: `@x/together-webhooks-otel` implements this interface with
 * OpenTelemetry, and without the option none of it runs.
 */
import type { TogetherEvent } from './events.js';
import { readHeaders } from './headers.js';
import type { WebhookResult } from './result.js';
import type { RawDelivery, WebhookInput } from './verify.js';

/**
 * Trace context as text fields: the W3C `traceparent` and `tracestate` of an HTTP delivery, or
 * whatever the telemetry wrote for a queued job (it may add `baggage` or its own fields). Store it
 * with the job as it is, and give it back to `dispatch` unchanged.
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/** How a delivery entered: verified by `handle()`, or trusted and given to `dispatch()`. */
export type DeliveryEntry = 'handle' | 'dispatch';

/** What a telemetry hook is told when a delivery starts. */
export interface DeliveryStart {
  /** `handle` (an HTTP delivery, before its verification) or `dispatch` (the watcher in process, a queue worker). */
  entry: DeliveryEntry;
  /** The event, when it is known at the start (`dispatch`); a `handle` scope learns it from the result. */
  event?: TogetherEvent;
  /**
   * The trace context that came with the delivery: the `traceparent` and `tracestate` headers
   * of an HTTP delivery, or what a queue worker passed as `dispatch(event, { traceContext })`.
   */
  traceContext?: TraceCarrier;
}

/** A call to the idempotency store (or, in queue mode, the queue) made for a delivery. */
export type TracedOperation = 'claim' | 'renew' | 'complete' | 'release' | 'enqueue';

/**
 * One delivery's telemetry, from its start to its answer. None of its methods may throw, and
 * `run` and `call` must call what they are given exactly once and return its result (or
 * rejection) unchanged: the core relies on it.
 */
export interface DeliveryScope {
  /** Told the event once a `handle()` delivery is verified, before any store call (a `dispatch` scope has it from the start). */
  verified(event: TogetherEvent): void;
  /** Runs the delivery's handlers: inside the delivery's context, so their own spans are its children. */
  run<T>(handlers: () => T): T;
  /** Runs one store or queue call for this delivery (a child span, or an event on the delivery's span). */
  call<T>(operation: TracedOperation, call: () => Promise<T>): Promise<T>;
  /**
   * The trace context to send with this delivery's event to the queue (queue mode; called inside
   * the `enqueue` call), or `undefined` when there is none.
   */
  inject(): TraceCarrier | undefined;
  /** Ends the scope with the answer: its outcome, its event (once verified), its error. Called once. */
  end(result: WebhookResult): void;
}

/**
 * What the `telemetry` option of `createWebhooks` and `createEventRouter` takes: the source of one
 * {@link DeliveryScope} per delivery. `openTelemetry()` from `@x/together-webhooks-otel` is one.
 *
 * @example
 * ```ts
 * import type { WebhookTelemetry } from '@x/together-webhooks-core';
 *
 * // Counts outcomes; an OpenTelemetry implementation would start a span here instead.
 * const counts = new Map<string, number>();
 * export const telemetry: WebhookTelemetry = {
 *   startDelivery: () => ({
 *     verified: () => undefined,
 *     run: (handlers) => handlers(),
 *     call: (_operation, call) => call(),
 *     inject: () => undefined,
 *     end: (result) => void counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1),
 *   }),
 * };
 * ```
 */
export interface WebhookTelemetry {
  /**
   * Opens the scope of one delivery, or answers `undefined` when there is nothing to record (no
   * SDK registered): the delivery then runs exactly as without telemetry. Must not throw (if it
   * does, the delivery goes untraced and `onError` is told).
   */
  startDelivery(start: DeliveryStart): DeliveryScope | undefined;
}

/** What a telemetry is told of one of the watcher's polls: the fields of the watch package's `PollReport` it records. */
export interface PollSummary {
  /** Requests made to Together. */
  requests: number;
  /** Events announced (changes seen for the first time). */
  announced: number;
  /** Events the receiver accepted. */
  delivered: number;
  /** Events still waiting for the receiver. */
  pending: number;
  /** Whether a request to Together or to the watch state failed. */
  failed: boolean;
}

/** How forwarding one event ended: the receiver has it, or not (and why). */
export interface SendOutcome {
  delivered: boolean;
  error?: unknown;
}

/**
 * One poll of the watcher (`@x/together-webhooks-watch`), from its start to its report. None of
 * its methods may throw, and `run` and `send` must call what they are given exactly once and
 * return its result unchanged.
 */
export interface PollScope {
  /** Runs the poll inside its context: the requests to Together and the forwarded events are its children. */
  run<T>(poll: () => Promise<T>): Promise<T>;
  /**
   * Forwards one event in a context of its own (a PRODUCER span): `deliver` is given that
   * context's trace fields, which an HTTP forwarding sends as `traceparent`/`tracestate` headers
   * (`undefined`: none). An in-process delivery runs inside it, so the router's span is its child.
   */
  send<T extends SendOutcome>(event: TogetherEvent, deliver: (traceContext: TraceCarrier | undefined) => Promise<T>): Promise<T>;
  /** An error the poll reported to `onError`, with its phase (`poll`, `deliver`, `state`): counted by phase and type. */
  reported(error: unknown, phase: string): void;
  /** Ends the poll with its report. Called once. */
  end(summary: PollSummary): void;
}

/**
 * What the `telemetry` option of the watcher (`watchTogetherJobs`, `pollTogetherJobs`) takes:
 * one {@link PollScope} per poll. `openTelemetry()` from `@x/together-webhooks-otel` is one (and
 * is also a {@link WebhookTelemetry}: give the same object to the watcher and to the receiver).
 */
export interface WatchTelemetry {
  /** Opens the scope of one poll. Must not throw (if it does, the poll goes untraced and `onError` is told). */
  startPoll(): PollScope;
}

/** What `dispatch` takes beside the event. */
export interface DispatchOptions {
  /** The trace context that travelled with the event (queue mode: what `enqueue` was given). */
  traceContext?: TraceCarrier;
  /**
   * Aborts the handlers' `ctx.signal` too, beside the lease's own loss: a queue worker shutting
   * down past its bound tells its running handlers to stop.
   */
  signal?: AbortSignal;
}

/** The header names of the W3C trace context an HTTP delivery may carry (the watcher sends them). */
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/**
 * Reads the trace context headers of a delivery without consuming anything verification needs:
 * `[name, value]` pairs given as a one-shot iterator are copied into an array first, and the
 * delivery handed back is the one to verify. A delivery whose headers cannot be read has no
 * trace context; verification then says what is wrong with it.
 * @internal
 */
export function traceContextOf(input: WebhookInput): { input: WebhookInput; traceContext: TraceCarrier | undefined } {
  const headers = (input as { headers?: unknown } | null)?.headers;
  if (typeof headers !== 'object' || headers === null) return { input, traceContext: undefined };
  let readable = headers as Parameters<typeof readHeaders>[0];
  if (typeof (headers as Partial<Iterator<unknown>>).next === 'function' && Symbol.iterator in headers) {
    readable = Array.from(headers as Iterable<readonly [string, string]>);
    input = { body: (input as RawDelivery).body, headers: readable };
  }
  let traceparent: string | undefined;
  let tracestate: string | undefined;
  try {
    [traceparent, tracestate] = readHeaders(readable, TRACE_HEADERS);
  } catch {
    return { input, traceContext: undefined };
  }
  if (traceparent === undefined) return { input, traceContext: undefined };
  return { input, traceContext: tracestate === undefined ? { traceparent } : { traceparent, tracestate } };
}

/** At most this many fields, of at most this many characters each, are read back as a carrier. */
const MAX_CARRIER_FIELDS = 16;
const MAX_CARRIER_VALUE_LENGTH = 1024;

/**
 * Reads back a trace context a queue kept with a job (parsed from its JSON, or a message's
 * headers): its text fields, as they were written. Fields that are not text (a broker's own
 * headers) are left out; a value that is not an object, or holds no text field, is no trace
 * context: the worker's trace then starts on its own, and the event is handled all the same.
 * @internal
 */
export function readTraceCarrier(value: unknown): TraceCarrier | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const carrier: Record<string, string> = {};
  let fields = 0;
  for (const [name, field] of Object.entries(value)) {
    if (typeof field !== 'string' || field.length > MAX_CARRIER_VALUE_LENGTH) continue;
    carrier[name] = field;
    if (++fields === MAX_CARRIER_FIELDS) break;
  }
  return fields > 0 ? carrier : undefined;
}
