/**
 * The README's SQS section as written, against the builds: the producing Lambda answers an HTTP
 * API event 202 after a SendMessage (to the local SQS-protocol server, not a real SQS), the
 * consuming Lambda handles that very message body from an SQS event over a real Redis store, and
 * the SAM and CloudFormation blocks parse and configure partial batch responses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signedDelivery, readmeExample, writeReadmeExample } from '@x/together-webhooks-test-support';
import { redisServerAvailable, startRedis, type RedisServer } from '@x/together-webhooks-test-support/redis-server';
import type { LambdaHandler, SqsEvent, SqsHandler } from '../src/index.js';
import { startSqsProtocolServer, type SqsProtocolServer } from './support/sqs-protocol-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const secret = 'whsec_readme_sqs';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe.skipIf(!redisServerAvailable)('the README SQS examples run as written', () => {
  let sqs: SqsProtocolServer;
  let redis: RedisServer;
  beforeAll(async () => {
    sqs = await startSqsProtocolServer();
    redis = await startRedis();
    vi.stubEnv('TOGETHER_WEBHOOK_SECRET', secret);
    // The queue URL and the SQS endpoint are the local server: nothing leaves 127.0.0.1.
    vi.stubEnv('EVENTS_QUEUE_URL', `${sqs.url}/123456789012/together-events`);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.url);
    vi.stubEnv('AWS_REGION', 'us-east-2');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    vi.stubEnv('REDIS_URL', redis.url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await sqs?.close();
    await redis?.stop();
  });

  it('the producer answers 202 after SendMessage; the consumer handles that message once', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const producer = (await import(pathToFileURL(await writeReadmeExample(packageDir, 'example:sqs-producer')).href)) as {
      handler: LambdaHandler;
      sqs: { destroy(): void };
    };
    const consumer = (await import(pathToFileURL(await writeReadmeExample(packageDir, 'example:sqs-consumer')).href)) as {
      handler: SqsHandler;
      redis: { quit(): Promise<unknown> };
    };
    try {
      const event = { id: `evt_readme_sqs_${Date.now()}`, type: 'batch.completed', created: '2026-01-15T10:30:00.000Z', data: { id: 'batch_readme', status: 'COMPLETED' } };
      const delivery = signedDelivery({ event, secret });
      const answer = await producer.handler({ ...fixture('apigw-http-no-auth.json'), body: delivery.body, headers: delivery.headers, isBase64Encoded: false } as never);
      expect(answer).toMatchObject({ statusCode: 202, body: JSON.stringify({ ok: true, outcome: 'queued', id: event.id }) });
      expect(sqs.received.map((request) => request.input)).toEqual([{ QueueUrl: process.env.EVENTS_QUEUE_URL, MessageBody: JSON.stringify(event) }]);

      const sample = fixture('sqs-base.json') as unknown as SqsEvent;
      const message = { ...sample.Records[0]!, body: String(sqs.received[0]!.input.MessageBody) };
      expect(await consumer.handler({ Records: [message] })).toEqual({ batchItemFailures: [] });
      expect(await consumer.handler({ Records: [{ ...message, messageId: 'a-second-delivery' }] })).toEqual({ batchItemFailures: [] });
      expect(log.mock.calls).toEqual([['batch batch_readme completed: fetching its output']]);
    } finally {
      producer.sqs.destroy();
      await consumer.redis.quit();
    }
  });
});

describe('the README SAM and CloudFormation blocks', () => {
  // CloudFormation's short forms, as plain objects.
  const schema = yaml.DEFAULT_SCHEMA.extend([
    new yaml.Type('!GetAtt', { kind: 'scalar', construct: (data: string) => ({ 'Fn::GetAtt': data.split('.') }) }),
    new yaml.Type('!Ref', { kind: 'scalar', construct: (data: string) => ({ Ref: data }) }),
  ]);
  const parse = (marker: string) => yaml.load(readmeExample(`${packageDir}README.md`, marker), { schema }) as Record<string, { Type: string; Properties: Record<string, unknown> }>;

  it('SAM: an SQS event with ReportBatchItemFailures on a queue with a dead-letter queue and a long enough visibility timeout', () => {
    const { Resources: resources } = parse('example:sam') as unknown as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const consumer = resources.EventsConsumer!;
    expect(consumer.Type).toBe('AWS::Serverless::Function');
    const source = (consumer.Properties.Events as Record<string, { Type: string; Properties: Record<string, unknown> }>).Events!;
    expect(source).toMatchObject({ Type: 'SQS', Properties: { Queue: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] }, FunctionResponseTypes: ['ReportBatchItemFailures'] } });
    const queue = resources.EventsQueue!;
    expect(queue.Properties.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    expect(resources.EventsDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * (consumer.Properties.Timeout as number));
  });

  it('CloudFormation: an event source mapping with ReportBatchItemFailures', () => {
    expect(parse('example:cloudformation').EventsConsumerMapping).toMatchObject({
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { EventSourceArn: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] }, FunctionResponseTypes: ['ReportBatchItemFailures'] },
    });
  });
});
