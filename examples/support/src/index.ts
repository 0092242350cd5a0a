import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type ExportResult, ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export { chooseFramework, FRAMEWORKS, type Framework } from './framework.js';

/** Writes each finished span as one JSON line: name, ids, parent, times, attributes, events, status. */
export class JsonlSpanExporter implements SpanExporter {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const lines = spans.map((span) =>
      JSON.stringify({
        name: span.name,
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
        parent_span_id: span.parentSpanContext?.spanId ?? null,
        start_ms: hrTimeToMilliseconds(span.startTime),
        duration_ms: hrTimeToMilliseconds(span.duration),
        attributes: span.attributes,
        events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
        status: span.status,
      }),
    );
    appendFileSync(this.path, `${lines.join('\n')}\n`);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

export interface Tracing {
  tracer: Tracer;
  /** Where spans went, for people: the JSONL file, the OTLP endpoint, or "memory". */
  destinations: string[];
  /** The spans kept in memory (for tests), when asked for. */
  memory: InMemorySpanExporter | undefined;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK as an application would set it up: a tracer provider with span processors, and
 * async context propagation. Spans go to a JSONL file (`file`), to memory (`memory: true`), and to any
 * OTLP/HTTP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set.
 */
export function setUpTracing(options: { serviceName: string; file?: string; memory?: boolean }): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const processors: SpanProcessor[] = [];
  const destinations: string[] = [];
  let memory: InMemorySpanExporter | undefined;
  if (options.file) {
    processors.push(new SimpleSpanProcessor({ exporter: new JsonlSpanExporter(options.file) }));
    destinations.push(options.file);
  }
  if (options.memory) {
    memory = new InMemorySpanExporter();
    processors.push(new SimpleSpanProcessor({ exporter: memory }));
    destinations.push('memory');
  }
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) {
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
    destinations.push(`OTLP collector at ${endpoint}`);
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME ?? options.serviceName,
    }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer(options.serviceName),
    destinations,
    memory,
    shutdown: () => provider.shutdown(),
  };
}
