/**
 * The OpenTelemetry SDK, started before the app: spans go to the console, or to an OTLP collector
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set (http://localhost:4318 for a local collector or Jaeger).
 * `register()` installs the AsyncLocalStorage context manager (handlers' spans become children of
 * the delivery's) and the W3C propagator (a delivery's traceparent is continued).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

const toCollector = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
// The OTLP exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS) itself.
const processor = toCollector ? new BatchSpanProcessor(new OTLPTraceExporter()) : new SimpleSpanProcessor(new ConsoleSpanExporter());

export const tracerProvider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'together-webhooks-example' }),
  spanProcessors: [processor],
});
tracerProvider.register();
console.log(toCollector ? `OpenTelemetry: spans to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}` : 'OpenTelemetry: spans printed to the console');
