// OpenTelemetry tracing, switched on by the standard OTEL_* variables (an OTLP endpoint and
// not OTEL_SDK_DISABLED). It must start before pg, ioredis and http are first loaded so their
// instrumentations can wrap them: cli.ts calls this first and loads everything else after.
// Fastify is instrumented through @fastify/otel, which attaches to every instance as it boots.
import { trace } from '@opentelemetry/api';

export interface Tracing {
  shutdown(): Promise<void>;
}

export async function startTracing(options: { enabled: boolean; serviceName: string }): Promise<Tracing | null> {
  if (!options.enabled) return null;
  // Metrics are Prometheus (/metrics) and logs are stdout: unless the operator asks for OTLP
  // metrics or logs explicitly, the SDK exports traces only.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const [
    { NodeSDK },
    { OTLPTraceExporter },
    { HttpInstrumentation },
    { PgInstrumentation },
    { IORedisInstrumentation },
    { FastifyOtelInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@fastify/otel'),
  ]);
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    // Endpoint, headers and protocol details come from the standard OTEL_EXPORTER_OTLP_* variables.
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          request.url === '/metrics' || request.url?.startsWith('/health/') === true,
      }),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** Log fields that tie a log line to its trace; empty when there is no active span. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
