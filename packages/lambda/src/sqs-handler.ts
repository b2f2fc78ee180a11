/**
 * @module sqs-handler — `createSqsHandler(router)`: an SQS-triggered Lambda that runs each
 * message's event through an event router and reports the messages to retry as
 * `batchItemFailures` (spec section 13).
 */
import type { EventRouter, TogetherEvent, TraceCarrier, WebhookOutcome } from '@x/together-webhooks-core';
import { readTraceCarrier } from '@x/together-webhooks-core/internal';

/** One SQS message of a Lambda event, reduced to the fields the handler reads (`SQSRecord` of `@types/aws-lambda` fits). */
export interface SqsRecord {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string; MessageGroupId?: string } | undefined;
  /** The message's attributes: `sqsQueue` puts the trace context there (`traceparent`, `tracestate`). */
  messageAttributes?: Record<string, { stringValue?: string | undefined; dataType?: string } | undefined> | undefined;
  eventSource?: string | undefined;
  eventSourceARN?: string | undefined;
}

/** The event of an SQS-triggered Lambda (`SQSEvent` of `@types/aws-lambda` fits). */
export interface SqsEvent {
  Records: SqsRecord[];
}

/** The partial batch response (`SQSBatchResponse`): the messages SQS must deliver again. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The handler to export from an SQS-triggered Lambda. */
export type SqsHandler = (event: SqsEvent) => Promise<SqsBatchResponse>;

/** The trace context `sqsQueue` sent as the message's `String` attributes, or `undefined`. */
function traceContextOf(record: SqsRecord): TraceCarrier | undefined {
  const attributes = record.messageAttributes;
  if (typeof attributes !== 'object' || attributes === null) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute?.dataType === 'String' && typeof attribute.stringValue === 'string') fields[name] = attribute.stringValue;
  }
  return readTraceCarrier(fields);
}

/** Outcomes after which the message is done: SQS deletes it. */
const FINISHED: ReadonlySet<WebhookOutcome> = new Set<WebhookOutcome>(['processed', 'duplicate', 'unhandled']);

/** The event a message body holds, or why it holds none. */
function parseEvent(body: string): TogetherEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'its body is not JSON';
  }
  const candidate = value as Partial<Record<'id' | 'type' | 'data', unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return 'its body is not a JSON object';
  if (typeof candidate.id !== 'string' || candidate.id.length === 0) return 'its body has no string "id"';
  if (typeof candidate.type !== 'string' || candidate.type.length === 0) return 'its body has no string "type"';
  if (typeof candidate.data !== 'object' || candidate.data === null) return 'its body has no object "data"';
  return value as TogetherEvent;
}

/** Whether `record` comes from a FIFO queue, whose messages of a group must stay in order. */
function fromFifoQueue(record: SqsRecord): boolean {
  return record.eventSourceARN?.endsWith('.fifo') === true || record.attributes?.MessageGroupId !== undefined;
}

/**
 * Creates the handler of an SQS-triggered Lambda for queue mode: each message's body is an event
 * (as `sqsQueue` sends it), run through `router.dispatch`. `processed`, `duplicate` and
 * `unhandled` messages succeed (SQS deletes them); `failed`, `in_progress` and
 * `store_unavailable` ones are listed in `batchItemFailures`, so SQS delivers them again after
 * the queue's visibility timeout, and moves them to the dead-letter queue after the redrive
 * policy's `maxReceiveCount`. The event source mapping needs `FunctionResponseTypes:
 * [ReportBatchItemFailures]`: without it Lambda ignores the answer and deletes the whole batch.
 *
 * A message whose body is not an event (not JSON, or no `id`, `type` and object `data`) cannot be
 * handled by any retry, and is never dropped silently either: it is reported to `onError` (phase
 * `adapter`, with its message id and receive count) and listed as a failure, so the redrive
 * policy moves it to the dead-letter queue. Standard queues' messages run concurrently; a FIFO
 * queue's run in order, and after the first failure the rest of the batch is reported unprocessed
 * (what AWS asks of FIFO partial batch responses), keeping each group in order.
 *
 * @param router - the router (or `createWebhooks` receiver) whose handlers run the events
 * @returns the handler to export
 * @throws (from the returned handler) a `TypeError` for an event that is not an SQS event, also reported to `onError`
 * @example
 * ```ts
 * import { createEventRouter } from '@x/together-webhooks-core';
 * import { createSqsHandler } from '@x/together-webhooks-lambda';
 *
 * const router = createEventRouter({ store: myDurableStore });
 * router.on('batch.completed', async (event) => downloadResults(event.data.id));
 * export const handler = createSqsHandler(router);
 * ```
 */
export function createSqsHandler(router: EventRouter): SqsHandler {
  if (typeof router?.dispatch !== 'function' || typeof router.reportError !== 'function') {
    throw new TypeError('createSqsHandler needs an event router (createEventRouter or createWebhooks) as its argument');
  }

  // Whether SQS should deliver the message again.
  const retry = async (record: SqsRecord): Promise<boolean> => {
    const event = parseEvent(record.body);
    if (typeof event === 'string') {
      const receives = record.attributes?.ApproximateReceiveCount ?? '?';
      router.reportError(
        new Error(
          `together-webhooks (sqs): message ${record.messageId} from ${record.eventSourceARN ?? 'an SQS queue'} holds no event (${event}); ` +
            `reported as failed (receive ${receives}) so the queue's redrive policy moves it to the dead-letter queue: give the queue one`,
        ),
        { phase: 'adapter', outcome: 'failed' },
      );
      return true;
    }
    const traceContext = traceContextOf(record);
    const result = await router.dispatch(event, traceContext ? { traceContext } : {});
    return !FINISHED.has(result.outcome);
  };

  return async (event: SqsEvent): Promise<SqsBatchResponse> => {
    if (typeof event !== 'object' || event === null || !Array.isArray(event.Records)) {
      const error = new TypeError('together-webhooks (sqs): the event has no Records: invoke this handler only through an SQS event source mapping');
      router.reportError(error, { phase: 'adapter', outcome: 'failed' });
      throw error;
    }
    const records = event.Records;
    const failed: string[] = [];
    if (records.some(fromFifoQueue)) {
      for (const [index, record] of records.entries()) {
        if (await retry(record)) {
          failed.push(...records.slice(index).map((rest) => rest.messageId));
          break;
        }
      }
    } else {
      const retries = await Promise.all(records.map(retry));
      records.forEach((record, index) => {
        if (retries[index]) failed.push(record.messageId);
      });
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
