import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Redactor } from '../audit/audit-event.js';

/** How a run reports to OpenTelemetry. */
export interface TelemetryOptions {
  /** The tracer to use. Default: `trace.getTracer('@orbit-agents/core')` (a no-op until the application registers an SDK). */
  tracer?: Tracer;
  /** Put tool inputs on spans (`gen_ai.tool.call.arguments`), through the redaction hook. Default false. */
  recordInputs?: boolean;
  /** Put tool outputs on spans (`gen_ai.tool.call.result`), through the redaction hook. Default false. */
  recordOutputs?: boolean;
}

/** Resolved telemetry settings of one deployment. */
export interface Telemetry {
  readonly tracer: Tracer;
  readonly recordInputs: boolean;
  readonly recordOutputs: boolean;
  readonly redact: Redactor | undefined;
}

export function resolveTelemetry(
  options: TelemetryOptions | undefined,
  redact: Redactor | undefined,
): Telemetry {
  return {
    tracer: options?.tracer ?? trace.getTracer('@orbit-agents/core'),
    recordInputs: options?.recordInputs === true,
    recordOutputs: options?.recordOutputs === true,
    redact,
  };
}

/** Starts a span as a child of `parent` (a span) or of the active context. */
export function startSpan(
  telemetry: Telemetry,
  name: string,
  parent: Span | undefined,
  kind = SpanKind.INTERNAL,
): Span {
  const ctx: Context = parent ? trace.setSpan(context.active(), parent) : context.active();
  return telemetry.tracer.startSpan(name, { kind }, ctx);
}

/** Serialises a value for a span attribute (attributes take primitives only). */
export function attributeValue(
  telemetry: Telemetry,
  tool: string,
  field: 'input' | 'output',
  value: unknown,
): string | undefined {
  const shown = telemetry.redact ? telemetry.redact(value, { tool, field }) : value;
  if (shown === undefined) return undefined;
  try {
    return typeof shown === 'string' ? shown : JSON.stringify(shown);
  } catch {
    return '[unserializable]'; // a BigInt, a cycle, a getter that throws: the span is still described
  }
}

/** Ends a span with an error status. */
export function endWithError(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}

export { context, trace };
