/**
 * The watcher's `telemetry` hook, through the public API with a telemetry of the test's own (the
 * OpenTelemetry one is proved in the otel package): each poll runs in its scope, each event is
 * forwarded through `send` with the trace fields going out as headers (never over the
 * signature's), reported errors are counted, and a telemetry that cannot start never stops a poll.
 */
import { describe, expect, it } from 'vitest';
import { createWebhooks, memoryStore, type PollScope, type PollSummary, type TogetherEvent, type TraceCarrier, type WatchTelemetry } from '@x/together-webhooks-core';
import { memoryWatchState, pollTogetherJobs, type PollTogetherJobsOptions } from '../src/index.js';
import { errors, fakeApi, onCleanup } from './helpers.js';
import { startReceiver } from './receiver-server.js';

const secret = 'whsec_watch_telemetry_test';
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** A telemetry that records what the watcher told it, and hands `carrier` to each send. */
function recordingTelemetry(carrier: TraceCarrier | undefined) {
  const log: { polls: number; running: number; sends: [string, boolean][]; reported: string[]; ended: PollSummary[] } = {
    polls: 0,
    running: 0,
    sends: [],
    reported: [],
    ended: [],
  };
  const scope: PollScope = {
    async run(poll) {
      log.running += 1;
      try {
        return await poll();
      } finally {
        log.running -= 1;
      }
    },
    async send(event: TogetherEvent, deliver) {
      // Called inside run(): the send belongs to the poll.
      expect(log.running).toBe(1);
      const outcome = await deliver(carrier);
      log.sends.push([event.id, outcome.delivered]);
      return outcome;
    },
    reported: (_error, phase) => void log.reported.push(phase),
    end: (summary) => void log.ended.push(summary),
  };
  const telemetry: WatchTelemetry = {
    startPoll() {
      log.polls += 1;
      return scope;
    },
  };
  return { telemetry, log };
}

async function setup() {
  const api = await fakeApi();
  const webhooks = createWebhooks({ secret, store: memoryStore() }).onAny(() => undefined);
  const server = await startReceiver(webhooks);
  onCleanup(() => server.close());
  const poll = (options: Partial<PollTogetherJobsOptions>) =>
    pollTogetherJobs({ apiKey: api.apiKey, baseURL: api.baseURL, deliver: { url: server.url, secret, maxAttempts: 1 }, state: memoryWatchState(), resources: ['batch'], ...options });
  return { api, server, poll };
}

describe('the watcher’s telemetry', () => {
  it('forwards each event through send(), with its trace fields as headers beside a signature they cannot replace', async () => {
    const { api, server, poll } = await setup();
    api.create('batch', { id: 'b1', status: 'COMPLETED' });
    // A telemetry that (wrongly) writes a signature header gets its traceparent sent, not its signature.
    const { telemetry, log } = recordingTelemetry({ traceparent, 'x-together-signature': 'v1,forged' });
    const report = await poll({ telemetry });
    expect(report).toMatchObject({ delivered: 1, pending: 0 });
    expect(server.deliveries).toEqual([expect.objectContaining({ id: 'batch:b1:COMPLETED', status: 200, traceparent })]);
    expect(log).toMatchObject({ polls: 1, sends: [['batch:b1:COMPLETED', true]], reported: [] });
    expect(log.ended).toEqual([expect.objectContaining({ requests: report.requests, announced: 1, delivered: 1, pending: 0, failed: false })]);
  });

  it('sends no trace headers when the telemetry has none', async () => {
    const { api, server, poll } = await setup();
    api.create('batch', { id: 'b2', status: 'COMPLETED' });
    await poll({ telemetry: recordingTelemetry(undefined).telemetry });
    expect(server.deliveries).toEqual([expect.objectContaining({ status: 200, traceparent: undefined })]);
  });

  it('is told every error the poll reports, with its phase, and a refused send', async () => {
    const { api, server, poll } = await setup();
    api.create('batch', { id: 'b3', status: 'COMPLETED' });
    server.interfere({ times: 1, status: 503 });
    const seen = errors();
    const { telemetry, log } = recordingTelemetry(undefined);
    await poll({ telemetry, onError: seen.onError });
    expect(log.sends).toEqual([['batch:b3:COMPLETED', false]]);
    expect(log.reported).toEqual(['deliver']);
    expect(seen.list.map(([, context]) => context.phase)).toEqual(['deliver']);
    api.fault({ status: 500, path: '/v1/batches' });
    await poll({ telemetry, onError: seen.onError });
    expect(log.reported).toEqual(['deliver', 'poll']);
    expect(log.ended.at(-1)).toMatchObject({ failed: true });
  });

  it('a telemetry whose startPoll throws leaves the poll untraced, never undone, and says so', async () => {
    const { api, server, poll } = await setup();
    api.create('batch', { id: 'b4', status: 'COMPLETED' });
    const seen = errors();
    const broken: WatchTelemetry = {
      startPoll() {
        throw new Error('telemetry broke');
      },
    };
    const report = await poll({ telemetry: broken, onError: seen.onError });
    expect(report).toMatchObject({ delivered: 1, failed: false });
    expect(server.deliveries).toHaveLength(1);
    expect(seen.list.map(([error, context]) => [String(error), context.phase])).toEqual([['Error: telemetry broke', 'poll']]);
  });

  it('a telemetry whose end throws changes nothing the poll did, and is told', async () => {
    const { api, server, poll } = await setup();
    api.create('batch', { id: 'b5', status: 'COMPLETED' });
    const seen = errors();
    const { telemetry } = recordingTelemetry(undefined);
    const scope = telemetry.startPoll();
    const broken: WatchTelemetry = {
      startPoll: () => ({
        ...scope,
        end() {
          throw new Error('end broke');
        },
      }),
    };
    const report = await poll({ telemetry: broken, onError: seen.onError });
    expect(report).toMatchObject({ delivered: 1, failed: false });
    expect(server.deliveries).toHaveLength(1);
    expect(seen.list.map(([error, context]) => [String(error), context.phase])).toEqual([['Error: end broke', 'poll']]);
  });

  it('is checked at construction', async () => {
    const { poll } = await setup();
    await expect(poll({ telemetry: { startDelivery: () => undefined } as never })).rejects.toThrow(
      'telemetry must be a WatchTelemetry (startPoll()): openTelemetry() from @x/together-webhooks-otel is one',
    );
  });
});
