import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import dynalite from 'dynalite';
import { expect, it, vi } from 'vitest';
import { readmeExample, writeReadmeSource } from '@x/together-webhooks-test-support';
import { parse } from 'yaml';
import type { PollReport } from '../src/index.js';
import { fakeApi, onCleanup } from './helpers.js';
import { startReceiver } from './receiver-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const block = (marker: string): string => readmeExample(join(packageDir, 'README.md'), marker);

/** Writes a README block to the package's .tmp and imports it afresh, as a user's module. */
const importBlock = async (marker: string): Promise<Record<string, unknown>> =>
  (await import(/* @vite-ignore */ `${writeReadmeSource(packageDir, marker)}?${Date.now()}`)) as Record<string, unknown>;

const SECRET = 'whsec_readme_state_secret_7Hq';

it('the pollTogetherJobs example polls once, delivers signed, and saves its state file', async () => {
  const api = await fakeApi();
  api.create('batch', { id: 'b-readme', status: 'COMPLETED', completed_at: new Date().toISOString() });
  const receiver = await startReceiver(createWebhooks({ secret: SECRET, store: memoryStore() }));
  onCleanup(() => receiver.close());
  const cwd = mkdtempSync(join(tmpdir(), 'readme-poll-'));
  const previous = process.cwd();
  process.chdir(cwd);
  onCleanup(() => {
    process.chdir(previous);
    rmSync(cwd, { recursive: true, force: true });
  });
  for (const [name, value] of Object.entries({ TOGETHER_API_KEY: api.apiKey, TOGETHER_BASE_URL: api.baseURL, WEBHOOK_URL: receiver.url, TOGETHER_WEBHOOK_SECRET: SECRET })) vi.stubEnv(name, value);
  onCleanup(() => {
    vi.unstubAllEnvs();
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  onCleanup(() => log.mockRestore());
  await importBlock('readme-poll-example');
  expect(log.mock.calls).toEqual([['2 requests, 1 announced, 1 delivered, 0 pending']]);
  expect(receiver.deliveries.map((delivery) => [delivery.id, delivery.status])).toEqual([['batch:b-readme:COMPLETED', 200]]);
  expect(JSON.parse(readFileSync(join(cwd, '.together-watch.json'), 'utf8'))).toMatchObject({ snapshot: { jobs: { 'batch:b-readme': { state: 'COMPLETED' } }, pending: [] } });
});

it('the scheduled Lambda example polls once per invocation, its state in DynamoDB (dynalite)', async () => {
  const api = await fakeApi();
  api.create('batch', { id: 'b-lambda' });
  const receiver = await startReceiver(createWebhooks({ secret: SECRET, store: memoryStore() }));
  onCleanup(() => receiver.close());
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setup = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  onCleanup(() => setup.destroy());
  await setup.send(new CreateTableCommand({ TableName: 'watch-state', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  // The SDK reads its endpoint, region and credentials from the environment, as in Lambda.
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    STATE_TABLE: 'watch-state',
    TOGETHER_API_KEY: api.apiKey,
    TOGETHER_BASE_URL: api.baseURL,
    WEBHOOK_URL: receiver.url,
    TOGETHER_WEBHOOK_SECRET: SECRET,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  onCleanup(() => {
    vi.unstubAllEnvs();
  });
  const { handler } = (await importBlock('readme-lambda-example')) as { handler: (event: unknown, context: unknown) => Promise<PollReport> };
  const context = { getRemainingTimeInMillis: () => 60_000 };
  expect(await handler({ source: 'aws.events' }, context)).toMatchObject({ announced: 1, delivered: 1, stateWritten: true });
  expect(await handler({ source: 'aws.events' }, context)).toMatchObject({ announced: 0, stateWritten: false });
  expect(receiver.deliveries.map((delivery) => delivery.id)).toEqual(['batch:b-lambda:VALIDATING']);
});

it('the SAM template schedules the function with an EventBridge rule and gives it the state table', () => {
  // CloudFormation's short forms (!Ref) are tags: read them as plain values.
  const template = parse(block('readme-sam-template'), { customTags: [{ tag: '!Ref', resolve: (value: string) => ({ Ref: value }) }] }) as {
    Transform: string;
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  const fn = template.Resources['TogetherWatch']!;
  expect(fn.Type).toBe('AWS::Serverless::Function');
  expect(fn.Properties).toMatchObject({
    Handler: 'watch.handler',
    Environment: { Variables: { STATE_TABLE: { Ref: 'WatchState' } } },
    Events: { EveryFiveMinutes: { Type: 'Schedule', Properties: { Schedule: 'rate(5 minutes)' } } },
  });
  expect(template.Resources['WatchState']).toMatchObject({ Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } });
});
