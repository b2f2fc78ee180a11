// pnpm --filter @x/example-observability watch: this project's watcher, traced, forwarding to the
// server above. Together AI sends no webhooks; the watcher polls its job API and POSTs each change
// as a signed delivery with the traceparent of its `send` span, so the server's `process` span is
// in the same trace. Without TOGETHER_API_KEY it polls a local fake of Together's API holding one
// completed fine-tune (no key, no network); with it, your real jobs.
import { openTelemetry } from '@x/together-webhooks-otel';
import { memoryWatchState, pollTogetherJobs } from '@x/together-webhooks-watch';
import { startFakeTogetherApi } from '@x/together-webhooks-watch/testing';
import { DEV_SECRET, WEBHOOK_PATH } from './app.js';
import { tracerProvider } from './tracing.js'; // first: the SDK before the watcher

const fake = process.env.TOGETHER_API_KEY ? undefined : await startFakeTogetherApi();
if (fake) {
  fake.create('fine_tune', { id: 'ft-example', status: 'completed', model_output_name: 'you/Meta-Llama-3.1-8B-Instruct-Reference-example' });
  console.log(`TOGETHER_API_KEY is not set: polling a local fake of Together's API (${fake.baseURL})`);
}
const url = `http://127.0.0.1:${process.env.PORT ?? 3000}${WEBHOOK_PATH}`;
const report = await pollTogetherJobs({
  ...(fake && { apiKey: fake.apiKey, baseURL: fake.baseURL }),
  deliver: { url, secret: process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET },
  state: memoryWatchState(),
  resources: ['fine_tune'],
  telemetry: openTelemetry(),
});
console.log(`poll: ${report.requests} requests, ${report.announced} announced, ${report.delivered} delivered to ${url}, ${report.pending} pending`);
await tracerProvider.forceFlush();
await fake?.close();
