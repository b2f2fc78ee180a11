/**
 * @module sqs-queue — `sqsQueue`: the `EventQueue` a receiver in queue mode enqueues to, over an
 * SQS queue (`@aws-sdk/client-sqs`), standard or FIFO.
 */
import { createHash } from 'node:crypto';
import type { EnqueueOptions, EventQueue, TogetherEvent, TraceCarrier } from '@x/together-webhooks-core';

/**
 * The part of an `SQSClient` (`@aws-sdk/client-sqs` v3) the queue uses; typed here so that apps
 * without the SDK still compile against this package's types.
 */
export interface SqsSendClient {
  send(command: object): Promise<unknown>;
}

/** The fields of `SendMessage` the queue sets. */
export interface SqsSendMessageInput {
  QueueUrl: string;
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  /** The trace context, one `String` attribute per field (`traceparent`, `tracestate`). */
  MessageAttributes?: Record<string, { DataType: 'String'; StringValue: string }>;
}

/** Options of {@link sqsQueue}. */
export interface SqsQueueOptions {
  /** An `SQSClient` of `@aws-sdk/client-sqs` v3. */
  client: SqsSendClient;
  /** The queue's URL; one ending in `.fifo` is a FIFO queue. */
  queueUrl: string;
  /**
   * FIFO queues only: the message group of an event, within which SQS keeps order. Default: the
   * id of the Together job the event is about (`event.data.id`), so one job's events stay in
   * order while different jobs' run in parallel; the event id when the data has no id.
   */
  messageGroupId?: (event: TogetherEvent) => string;
}

// SQS's limit for MessageGroupId and MessageDeduplicationId: 128 characters of these.
const SQS_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/** `value` when SQS accepts it as a group or deduplication id, else its SHA-256 hex (64 characters). */
function sqsId(value: string): string {
  return SQS_ID.test(value) ? value : createHash('sha256').update(value, 'utf8').digest('hex');
}

function defaultGroup(event: TogetherEvent): string {
  const jobId = (event.data as { id?: unknown }).id;
  return typeof jobId === 'string' && jobId.length > 0 ? jobId : event.id;
}

// SQS takes at most 10 message attributes, named with these characters (and not `AWS.` or `Amazon.`).
const MAX_MESSAGE_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)[A-Za-z0-9_-][A-Za-z0-9_.-]{0,255}$/i;

/**
 * The trace context as message attributes, the way OpenTelemetry's AWS SDK instrumentation
 * carries it over SQS (so a consumer instrumented that way reads it too). A field SQS would refuse
 * is left out: the trace breaks there, the message still goes.
 */
function traceAttributes(traceContext: TraceCarrier): SqsSendMessageInput['MessageAttributes'] {
  const attributes: NonNullable<SqsSendMessageInput['MessageAttributes']> = {};
  let count = 0;
  for (const [name, value] of Object.entries(traceContext)) {
    if (count === MAX_MESSAGE_ATTRIBUTES) break;
    if (!ATTRIBUTE_NAME.test(name) || name.endsWith('.') || name.includes('..') || value.length === 0) continue;
    attributes[name] = { DataType: 'String', StringValue: value };
    count += 1;
  }
  return count > 0 ? attributes : undefined;
}

/**
 * The `SendMessage` input for `event` on `queueUrl`: the event as JSON in the body, the trace
 * context (when the receiver has telemetry) as message attributes, and on a FIFO queue the message
 * group and the event id as deduplication id (its SHA-256 hex when it is over 128 characters or
 * has characters SQS refuses), so SQS drops a re-delivery within its 5-minute deduplication window.
 * @internal
 */
export function sendMessageInput(event: TogetherEvent, queueUrl: string, messageGroupId = defaultGroup, traceContext?: TraceCarrier): SqsSendMessageInput {
  const input: SqsSendMessageInput = { QueueUrl: queueUrl, MessageBody: JSON.stringify(event) };
  const attributes = traceContext && traceAttributes(traceContext);
  if (attributes) input.MessageAttributes = attributes;
  if (queueUrl.endsWith('.fifo')) {
    input.MessageGroupId = sqsId(messageGroupId(event));
    input.MessageDeduplicationId = sqsId(event.id);
  }
  return input;
}

type SqsModule = typeof import('@aws-sdk/client-sqs');
let sqsModule: Promise<SqsModule> | undefined;

// Loaded on the first enqueue: @aws-sdk/client-sqs is an optional peer, needed only by sqsQueue.
function loadSqs(): Promise<SqsModule> {
  sqsModule ??= import('@aws-sdk/client-sqs').catch((error: unknown) => {
    sqsModule = undefined;
    throw new Error('sqsQueue needs @aws-sdk/client-sqs: npm install @aws-sdk/client-sqs', { cause: error });
  });
  return sqsModule;
}

/**
 * An `EventQueue` over an SQS queue, for `createWebhooks({ queue })`: `enqueue` sends the event as
 * one message and resolves once SQS has accepted it (SQS stores a message redundantly before it
 * answers). Consume the queue with `createSqsHandler(router)` in an SQS-triggered Lambda. On a
 * FIFO queue (URL ending in `.fifo`) each message has a group (see `messageGroupId`) and the event
 * id as its deduplication id; a standard queue has no deduplication, and the router's store
 * answers re-deliveries `duplicate`.
 *
 * @param options - the `SQSClient`, the `queueUrl`, and a FIFO queue's `messageGroupId`
 * @returns the queue for `createWebhooks({ queue })`
 * @example
 * ```ts
 * import { SQSClient } from '@aws-sdk/client-sqs';
 * import { createWebhooks } from '@x/together-webhooks-core';
 * import { sqsQueue } from '@x/together-webhooks-lambda';
 *
 * const queue = sqsQueue({ client: new SQSClient({}), queueUrl: process.env.EVENTS_QUEUE_URL! });
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, queue });
 * ```
 */
export function sqsQueue(options: SqsQueueOptions): EventQueue {
  if (typeof options !== 'object' || options === null) throw new TypeError('sqsQueue needs { client, queueUrl }');
  const { client, queueUrl, messageGroupId } = options;
  if (typeof (client as Partial<SqsSendClient> | undefined)?.send !== 'function') {
    throw new TypeError('sqsQueue: client must be an SQSClient of @aws-sdk/client-sqs (new SQSClient({}))');
  }
  if (typeof queueUrl !== 'string' || !/^https?:\/\//.test(queueUrl)) throw new TypeError('sqsQueue: queueUrl must be the queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)');
  if (messageGroupId !== undefined && typeof messageGroupId !== 'function') throw new TypeError('sqsQueue: messageGroupId must be a function of the event');
  return {
    async enqueue(event: TogetherEvent, options?: EnqueueOptions) {
      const { SendMessageCommand } = await loadSqs();
      await client.send(new SendMessageCommand(sendMessageInput(event, queueUrl, messageGroupId, options?.traceContext)));
    },
  };
}
