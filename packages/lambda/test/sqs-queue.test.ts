/**
 * `sqsQueue` with the real `@aws-sdk/client-sqs` client. There is no SQS here: the client is
 * pointed (`endpoint`) at a server on 127.0.0.1 that answers SendMessage as SQS's JSON protocol
 * does. This proves the request the SDK puts on the wire and how the receiver answers when it
 * fails; it does NOT prove SQS accepts it (IAM, queue attributes, FIFO deduplication itself).
 */
import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhooks, type TogetherEvent } from '@x/together-webhooks-core';
import { createSignedDelivery, createTestEvent } from '@x/together-webhooks-core/testing';
import { sqsQueue, type SqsSendClient } from '../src/index.js';
import { startSqsProtocolServer, type SqsProtocolServer, type SqsRequest, type SqsServerMode } from './support/sqs-protocol-server.js';

describe('sqsQueue against a local SQS-protocol server (not a real SQS)', () => {
  let sqs: SqsProtocolServer;
  let base: string;
  let received: SqsRequest[];
  const clients: SQSClient[] = [];
  beforeAll(async () => {
    sqs = await startSqsProtocolServer();
    base = sqs.url;
    received = sqs.received;
  });
  afterEach(() => {
    sqs.mode = 'accept';
    received.length = 0;
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    await sqs?.close();
  });

  const client = () => {
    const sqsClient = new SQSClient({ region: 'us-east-2', endpoint: base, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, maxAttempts: 1 });
    clients.push(sqsClient);
    return sqsClient;
  };
  // Queue URLs on the local server too, so nothing can leave 127.0.0.1 whatever the SDK does with them.
  const standardUrl = () => `${base}/123456789012/together-events`;
  const fifoUrl = () => `${base}/123456789012/together-events.fifo`;

  it('sends the event as the body of a SendMessage in the JSON protocol; no group or deduplication id on a standard queue', async () => {
    const event = createTestEvent('batch.completed');
    await sqsQueue({ client: client(), queueUrl: standardUrl() }).enqueue(event);
    expect(received).toEqual([
      { target: 'AmazonSQS.SendMessage', contentType: 'application/x-amz-json-1.0', input: { QueueUrl: standardUrl(), MessageBody: JSON.stringify(event) } },
    ]);
    expect(JSON.parse(String(received[0]!.input.MessageBody))).toEqual(event);
  });

  it('builds the SendMessage input the SDK serializes (seen in its middleware stack, before any network)', async () => {
    const sqsClient = client();
    const inputs: unknown[] = [];
    // At the initialize step (the default), it short-circuits the stack: no serialization, no request.
    sqsClient.middlewareStack.add(() => (args) => {
      inputs.push(args.input);
      return Promise.resolve({ output: { $metadata: {} }, response: {} });
    });
    const event = createTestEvent('fine_tune.completed', { id: 'evt_stack_1', data: { id: 'ft-stack' } });
    await sqsQueue({ client: sqsClient, queueUrl: fifoUrl() }).enqueue(event);
    expect(inputs).toEqual([{ QueueUrl: fifoUrl(), MessageBody: JSON.stringify(event), MessageGroupId: 'ft-stack', MessageDeduplicationId: 'evt_stack_1' }]);
    expect(received).toEqual([]);
  });

  it.each<[string, TogetherEvent, ((event: TogetherEvent) => string) | undefined, { MessageGroupId: string; MessageDeduplicationId: string }]>([
    [
      "the Together job's id as group, the event id as deduplication id",
      createTestEvent('fine_tune.completed', { id: 'evt_fifo_1', data: { id: 'ft-6a1b2c3d' } }),
      undefined,
      { MessageGroupId: 'ft-6a1b2c3d', MessageDeduplicationId: 'evt_fifo_1' },
    ],
    [
      'a SHA-256 hex deduplication id for an id over 128 characters',
      createTestEvent('batch.completed', { id: 'e'.repeat(300), data: { id: 'batch_1' } }),
      undefined,
      { MessageGroupId: 'batch_1', MessageDeduplicationId: createHash('sha256').update('e'.repeat(300)).digest('hex') },
    ],
    [
      'a chosen group, digested when SQS would refuse it (a space)',
      createTestEvent('batch.completed', { id: 'evt_fifo_3' }),
      () => 'one group for all',
      { MessageGroupId: createHash('sha256').update('one group for all').digest('hex'), MessageDeduplicationId: 'evt_fifo_3' },
    ],
  ])('on a FIFO queue: %s', async (_case, event, messageGroupId, ids) => {
    await sqsQueue({ client: client(), queueUrl: fifoUrl(), ...(messageGroupId ? { messageGroupId } : {}) }).enqueue(event);
    expect(received.map((r) => r.input)).toEqual([{ QueueUrl: fifoUrl(), MessageBody: JSON.stringify(event), ...ids }]);
  });

  it.each<[SqsServerMode, RegExp]>([
    ['throttle', /throttled/],
    ['silent', /did not answer within 300 ms/],
  ])('a receiver answers 503 queue_unavailable when SendMessage fails (%s), and reports it', async (failure, message) => {
    sqs.mode = failure;
    const errors: unknown[] = [];
    const webhooks = createWebhooks({
      secret: 'whsec_sqs_queue',
      queue: sqsQueue({ client: client(), queueUrl: standardUrl() }),
      enqueueTimeoutMs: 300,
      onError: (error) => errors.push(error),
    });
    const result = await webhooks.handle(createSignedDelivery(createTestEvent('batch.completed'), { secret: 'whsec_sqs_queue' }));
    expect(result).toMatchObject({ status: 503, outcome: 'queue_unavailable', headers: { 'retry-after': '5' } });
    expect(received).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(message);
  });

  it('sends the trace context as String message attributes, leaving out names SQS refuses', async () => {
    const event = createTestEvent('batch.completed');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await sqsQueue({ client: client(), queueUrl: standardUrl() }).enqueue(event, { traceContext: { traceparent, tracestate: 'vendor=1', 'AWS.reserved': 'x', 'bad name': 'y' } });
    expect(received.map((r) => r.input)).toEqual([
      {
        QueueUrl: standardUrl(),
        MessageBody: JSON.stringify(event),
        MessageAttributes: { traceparent: { DataType: 'String', StringValue: traceparent }, tracestate: { DataType: 'String', StringValue: 'vendor=1' } },
      },
    ]);
  });

  it('a receiver answers 202 queued once SQS accepted the message', async () => {
    const webhooks = createWebhooks({ secret: 'whsec_sqs_queue', queue: sqsQueue({ client: client(), queueUrl: standardUrl() }) });
    const event = createTestEvent('batch.completed');
    expect(await webhooks.handle(createSignedDelivery(event, { secret: 'whsec_sqs_queue' }))).toMatchObject({ status: 202, outcome: 'queued' });
    expect(received.map((r) => r.input.MessageBody)).toEqual([JSON.stringify(event)]);
  });
});

describe('sqsQueue options', () => {
  it.each([
    ['no client', () => sqsQueue({ client: undefined as unknown as SqsSendClient, queueUrl: 'https://sqs.us-east-2.amazonaws.com/1/q' }), /SQSClient/],
    ['a queue name for a URL', () => sqsQueue({ client: new SQSClient({ region: 'us-east-2' }), queueUrl: 'together-events' }), /queueUrl must be the queue URL/],
    ['a string group', () => sqsQueue({ client: new SQSClient({ region: 'us-east-2' }), queueUrl: 'https://sqs.us-east-2.amazonaws.com/1/q.fifo', messageGroupId: 'g' as never }), /messageGroupId/],
  ])('refuses %s', (_case, make, message) => {
    expect(make).toThrow(message);
  });
});
