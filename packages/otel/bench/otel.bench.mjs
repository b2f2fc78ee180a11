// Telemetry overhead (issue 17, spec 16): handle() of a 1 KiB delivery with the memory store,
// new event ids, without telemetry, with openTelemetry() over the API alone (no SDK registered:
// budget within 5%), and with the SDK (tracer and meter providers, in-memory exporters, the
// AsyncLocalStorage context manager). Alternating rounds, medians. Run after a build: it imports
// the built packages. `node packages/otel/bench/otel.bench.mjs`, or `pnpm bench` at the root.
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createWebhooks, memoryStore, sign } from '@x/together-webhooks-core';
import { openTelemetry } from '../dist/index.js';

const secret = 'whsec_bench_otel';
const DELIVERIES = 20_000;
const ROUNDS = 9;
const template = JSON.stringify({
  id: 'evt_bench',
  type: 'fine_tune.completed',
  created: new Date().toISOString(),
  data: { id: 'ft-bench', status: 'completed', model: 'meta-llama/Llama-3-8b', padding: 'x'.repeat(760) },
});
// Distinct ids need distinct bodies; signed up front so signing is not measured.
const deliveries = Array.from({ length: DELIVERIES }, (_, i) => {
  const body = Buffer.from(template.replace('evt_bench', `evt_${String(i).padStart(9, '0')}`));
  return { body, headers: sign(body, { secret }) };
});

const spanExporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })] });
const contextManager = new AsyncLocalStorageContextManager();

const variants = [
  { name: 'handle() 1 KiB, memory store, no telemetry', telemetry: undefined },
  { name: 'with openTelemetry(), API only (no SDK)', telemetry: openTelemetry() },
  {
    name: 'with openTelemetry(), SDK + in-memory exporters',
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
    // What an SDK's start registers; removed again after the round, so the other rows run without it.
    before() {
      context.setGlobalContextManager(contextManager.enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    },
    after() {
      context.disable();
      propagation.disable();
      spanExporter.reset();
    },
  },
];

async function round(variant) {
  variant.before?.();
  const webhooks = createWebhooks({ secret, store: memoryStore(), ...(variant.telemetry && { telemetry: variant.telemetry }) });
  webhooks.on('fine_tune.completed', () => undefined);
  const start = process.hrtime.bigint();
  for (const delivery of deliveries) {
    const result = await webhooks.handle(delivery);
    if (result.status !== 200) throw new Error(`unexpected ${result.outcome}`);
  }
  const ns = Number(process.hrtime.bigint() - start) / DELIVERIES;
  variant.after?.();
  return ns;
}

for (const variant of variants) await round(variant); // warm-up
const samples = variants.map(() => []);
for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < variants.length; i++) samples[i].push(await round(variants[i]));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medians = samples.map(median);

console.log('\n## Telemetry overhead (otel)\n');
console.log(`median of ${ROUNDS} alternating rounds of ${DELIVERIES} deliveries\n`);
console.log('| case | µs per delivery | vs no telemetry | budget |');
console.log('|---|---|---|---|');
variants.forEach((variant, i) => {
  const ratio = medians[i] / medians[0];
  const budget = i === 1 ? `${ratio <= 1.05 ? 'PASS' : 'MISS'} (≤ 1.05x)` : i === 2 ? 'reported' : '';
  console.log(`| ${variant.name} | ${(medians[i] / 1000).toFixed(2)} | ${i === 0 ? '' : `${ratio.toFixed(3)}x`} | ${budget} |`);
});
await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
