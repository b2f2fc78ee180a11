/**
 * The queue conformance kit is real: a small `EventQueue` and worker over RabbitMQ (`amqplib`),
 * written here as a user would write their own, pass `runQueueConformance` against the machine's
 * RabbitMQ server (127.0.0.1:5672, guest/guest). Without RabbitMQ the test skips loudly, except
 * under CI, where it fails.
 */
import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import type { EnqueueOptions, EventQueue, EventRouter, TogetherEvent } from '@x/together-webhooks-core';
import { readTraceCarrier } from '@x/together-webhooks-core/internal';
import { queueConformanceChecks, runQueueConformance, type QueueWorker } from '@x/together-webhooks-core/testing';

const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

async function probeRabbitmq(): Promise<boolean> {
  try {
    const connection = await amqp.connect(RABBITMQ_URL, { timeout: 2000 });
    await connection.close();
    return true;
  } catch (error) {
    if (process.env.CI) throw new Error(`RabbitMQ is not reachable at 127.0.0.1:5672 but CI is set: .ci/run must start it`, { cause: error });
    console.warn(
      '\n' +
        '**************************************************************************\n' +
        '*  RabbitMQ is not reachable on 127.0.0.1:5672 (guest/guest): the        *\n' +
        '*  RabbitMQ queue conformance test is SKIPPED. Start rabbitmq-server.    *\n' +
        '**************************************************************************\n',
    );
    return false;
  }
}
const rabbitmqAvailable = await probeRabbitmq();

/**
 * An `EventQueue` over a durable RabbitMQ queue: a persistent message per event, sent on a
 * confirm channel, so `enqueue` resolves only once the broker has taken responsibility for it.
 */
async function rabbitQueue(connection: ChannelModel, queueName: string): Promise<EventQueue & { close(): Promise<void> }> {
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queueName, { durable: true });
  return {
    enqueue: (event: TogetherEvent, options?: EnqueueOptions) =>
      new Promise<void>((resolve, reject) => {
        // The trace context travels as message headers, as OpenTelemetry's amqplib instrumentation carries it.
        const headers = options?.traceContext ? { ...options.traceContext } : undefined;
        channel.sendToQueue(queueName, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id, contentType: 'application/json', headers }, (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error('the broker refused the message (nack)')) : resolve(),
        );
      }),
    close: () => channel.close(),
  };
}

/**
 * A worker: up to `concurrency` unacknowledged messages, each dispatched to the router.
 * `processed`, `duplicate` and `unhandled` are acked; anything else is put back (nack with
 * requeue) after a backoff, the message held unacked meanwhile, so a worker that dies during the
 * wait loses nothing: the broker redelivers unacked messages of a closed connection.
 */
async function rabbitWorker(connection: ChannelModel, queueName: string, router: EventRouter, concurrency = 4): Promise<QueueWorker> {
  const channel = await connection.createChannel();
  await channel.assertQueue(queueName, { durable: true });
  await channel.prefetch(concurrency);
  const running = new Set<Promise<void>>();
  const waiting = new Map<ReturnType<typeof setTimeout>, ConsumeMessage>();
  const requeueLater = (message: ConsumeMessage, delayMs: number) => {
    const timer = setTimeout(() => {
      waiting.delete(timer);
      channel.nack(message, false, true);
    }, delayMs);
    waiting.set(timer, message);
  };
  const handle = async (message: ConsumeMessage) => {
    let event: TogetherEvent;
    try {
      event = JSON.parse(message.content.toString('utf8')) as TogetherEvent;
    } catch (error) {
      router.reportError(error, { phase: 'adapter', outcome: 'failed' });
      channel.nack(message, false, false); // to the dead-letter exchange, if the queue has one
      return;
    }
    const traceContext = readTraceCarrier(message.properties.headers);
    const result = await router.dispatch(event, traceContext ? { traceContext } : {});
    if (['processed', 'duplicate', 'unhandled'].includes(result.outcome)) {
      channel.ack(message);
      return;
    }
    // in_progress says when the other claim lapses; otherwise a short fixed backoff.
    const retryAfterMs = Number(result.headers['retry-after'] ?? 0) * 1000;
    requeueLater(message, result.outcome === 'in_progress' ? retryAfterMs : 100);
  };
  const { consumerTag } = await channel.consume(queueName, (message) => {
    if (message === null) return; // the queue was deleted
    const job = handle(message).catch((error: unknown) => router.reportError(error, { phase: 'internal', outcome: 'failed' }));
    running.add(job);
    void job.finally(() => running.delete(job));
  });
  return {
    async close() {
      await channel.cancel(consumerTag);
      await Promise.all(running);
      // Messages waiting out a backoff go back now, for the next worker.
      for (const [timer, message] of waiting) {
        clearTimeout(timer);
        channel.nack(message, false, true);
      }
      waiting.clear();
      await channel.close();
    },
  };
}

describe.skipIf(!rabbitmqAvailable)('a RabbitMQ EventQueue and worker (amqplib)', () => {
  it('pass the queue conformance kit', async () => {
    const connection = await amqp.connect(RABBITMQ_URL);
    const queueName = `together-conformance-${randomUUID()}`;
    const queues: { close(): Promise<void> }[] = [];
    try {
      const report = await runQueueConformance({
        makeQueue: async () => {
          const queue = await rabbitQueue(connection, queueName);
          queues.push(queue);
          return queue;
        },
        startWorker: (router) => rabbitWorker(connection, queueName, router),
        dispose: async () => {
          await Promise.all(queues.map((queue) => queue.close()));
          const channel = await connection.createChannel();
          await channel.deleteQueue(queueName);
          await channel.close();
        },
      });
      expect(report.checks.map((check) => check.name)).toEqual([...queueConformanceChecks]);
      for (const check of report.checks) expect(check).toMatchObject({ passed: true });
    } finally {
      await connection.close();
    }
  }, 120_000);
});
