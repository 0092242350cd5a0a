import type { Span as SdkSpan, Trace as SdkTrace, SpanData, TracingProcessor } from '@openai/agents';
import {
  type Attributes,
  type Context,
  context,
  diag,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { checkCount, checkRecord, shown } from './check-input.js';
import { json, OA_ATTR, SPAN_PREFIX, spanAttributes, spanName } from './otel-span-attributes.js';

/** Options of `OpenTelemetryTraceProcessor`. */
export interface OpenTelemetryTraceProcessorOptions {
  /** The tracer the bridged spans are made with (the application's, or ORBIT's `telemetry.tracer`). */
  tracer: Tracer;
  /**
   * Put what users, models and tools said on the spans: a function span's input and output, a
   * generation's messages, a custom span's data, an error's data, a trace's metadata. Default false.
   */
  includeSensitiveData?: boolean;
  /** How many SDK spans and traces may be open at once; past it the oldest is ended. Default 10,000. */
  maxOpenSpans?: number;
}

/** Open spans and traces kept at most, by default (a trace the SDK never ends must not grow memory). */
export const DEFAULT_MAX_OPEN_SPANS = 10_000;

/** What a function span's error says when sensitive data stays out (a tool's error may quote its data). */
const REDACTED_TOOL_ERROR = 'Error running tool';

type AnySdkSpan = SdkSpan<SpanData>;

/**
 * A trace processor of the OpenAI Agents SDK that makes its traces OpenTelemetry spans, so that one
 * trace shows the SDK's agents, turns, tools, handoffs and guardrails with ORBIT's decisions and the
 * application's own spans:
 * 1. an SDK trace is a span (`openai_agents.trace <workflow>`) under the OpenTelemetry context active
 *    when the run starts (the application's request span);
 * 2. an SDK span is a span under its SDK parent's (else the trace's), with the SDK's times and its
 *    data as attributes (`openai_agents.span_type`, names, handoff agents, guardrail `triggered`);
 * 3. an error is the span's ERROR status; what users, models and tools said stays out unless
 *    `includeSensitiveData`.
 * Register it instead of the OpenAI exporter, and give it to `orbitOpenAIAgents(orbit, { traceProcessor })`
 * so that ORBIT's call spans link to the SDK's function spans and a tool's own spans nest under them.
 *
 * @example
 * const bridge = new OpenTelemetryTraceProcessor({ tracer: trace.getTracer('my-app') });
 * setTraceProcessors([bridge]); // replaces the OpenAI exporter: nothing leaves the process
 * const orbitAgents = orbitOpenAIAgents(orbit, { traceProcessor: bridge });
 */
export class OpenTelemetryTraceProcessor implements TracingProcessor {
  private readonly tracer: Tracer;
  private readonly sensitive: boolean;
  private readonly max: number;
  /** Open SDK traces by trace id: their span and their open SDK spans' ids. */
  private readonly traces = new Map<string, { span: Span; spans: Set<string> }>();
  /** Open SDK spans by span id, with the id of their trace. */
  private readonly spans = new Map<string, { span: Span; traceId: string }>();

  /** @throws OptionsInvalidError without a tracer, or with a `maxOpenSpans` that is not a positive integer. */
  constructor(options: OpenTelemetryTraceProcessorOptions) {
    checkRecord(
      options,
      'new OpenTelemetryTraceProcessor(options) options',
      'an object with the tracer ({ tracer })',
    );
    if (typeof (options.tracer as { startSpan?: unknown } | undefined)?.startSpan !== 'function')
      throw new OptionsInvalidError(
        `Expected options.tracer to be an OpenTelemetry tracer (trace.getTracer('my-app')), got ${shown(options.tracer)}.`,
      );
    checkCount(options.maxOpenSpans, 'options.maxOpenSpans');
    this.tracer = options.tracer;
    this.sensitive = options.includeSensitiveData === true;
    this.max = options.maxOpenSpans ?? DEFAULT_MAX_OPEN_SPANS;
  }

  async onTraceStart(sdkTrace: SdkTrace): Promise<void> {
    safely('trace start', () => this.startTrace(sdkTrace));
  }

  async onTraceEnd(sdkTrace: SdkTrace): Promise<void> {
    safely('trace end', () => this.endTrace(sdkTrace.traceId));
  }

  async onSpanStart(sdkSpan: AnySdkSpan): Promise<void> {
    safely('span start', () => {
      if (!this.spans.has(sdkSpan.spanId)) this.open(sdkSpan);
    });
  }

  async onSpanEnd(sdkSpan: AnySdkSpan): Promise<void> {
    safely('span end', () => this.close(sdkSpan));
  }

  private startTrace(sdkTrace: SdkTrace): void {
    if (this.traces.has(sdkTrace.traceId)) return;
    if (this.traces.size >= this.max) this.endTrace(this.traces.keys().next().value!);
    const attributes: Attributes = {
      [OA_ATTR.SPAN_TYPE]: 'trace',
      [OA_ATTR.TRACE_ID]: sdkTrace.traceId,
      [OA_ATTR.WORKFLOW_NAME]: sdkTrace.name,
    };
    if (sdkTrace.groupId) attributes[OA_ATTR.GROUP_ID] = sdkTrace.groupId;
    if (this.sensitive && sdkTrace.metadata && Object.keys(sdkTrace.metadata).length > 0)
      attributes[OA_ATTR.METADATA] = json(sdkTrace.metadata);
    // Started where the application called run(): its active span is the parent.
    const span = this.tracer.startSpan(
      `${SPAN_PREFIX}trace ${sdkTrace.name}`,
      { kind: SpanKind.INTERNAL, attributes },
      context.active(),
    );
    this.traces.set(sdkTrace.traceId, { span, spans: new Set() });
  }

  private close(sdkSpan: AnySdkSpan): void {
    const open = this.spans.get(sdkSpan.spanId);
    if (!open) return;
    this.spans.delete(sdkSpan.spanId);
    this.traces.get(open.traceId)?.spans.delete(sdkSpan.spanId);
    const { span } = open;
    // Ended whatever its data holds: a span left open would never be exported.
    safely('span data', () => {
      // The SDK fills the data in while the span runs (a tool's output, a guardrail's verdict).
      span.setAttributes(spanAttributes(sdkSpan.spanData, this.sensitive));
      const { error } = sdkSpan;
      if (!error) return;
      const redact = !this.sensitive && sdkSpan.spanData.type === 'function';
      span.setStatus({ code: SpanStatusCode.ERROR, message: redact ? REDACTED_TOOL_ERROR : error.message });
      if (this.sensitive && error.data !== undefined) span.setAttribute(OA_ATTR.ERROR_DATA, json(error.data));
    });
    span.end(timeOf(sdkSpan.endedAt));
  }

  /**
   * The OpenTelemetry context with the span bridged from an SDK span (or trace) set, while it is open:
   * run code in it (`context.with`) to nest spans under it, or link to it. Undefined for a span this
   * processor did not bridge (tracing disabled, a no-op span, ended).
   *
   * @example
   * const ctx = bridge.contextOf(getCurrentSpan()); // inside a tool's execute: the SDK's function span
   * if (ctx) await context.with(ctx, () => fetchInvoice(id));
   */
  contextOf(
    sdk: AnySdkSpan | SdkTrace | null | undefined,
    base: Context = context.active(),
  ): Context | undefined {
    if (!sdk) return undefined;
    return safely('context', () => {
      const span =
        sdk.type === 'trace'
          ? this.traces.get(sdk.traceId)?.span
          : (this.spans.get(sdk.spanId)?.span ?? this.early(sdk));
      return span ? trace.setSpan(base, span) : undefined;
    });
  }

  /** Nothing to flush: the spans are the tracer's, which its own span processors export. */
  async forceFlush(): Promise<void> {}

  /** Ends the spans still open (the SDK shuts its processors down when the process exits or they are replaced). */
  async shutdown(): Promise<void> {
    for (const traceId of [...this.traces.keys()]) this.endTrace(traceId);
    for (const spanId of [...this.spans.keys()]) this.endSpan(spanId);
  }

  /** Bridges an SDK span: a span under its SDK parent's bridged span, else its trace's. */
  private open(sdkSpan: AnySdkSpan): Span {
    const { spanId, traceId } = sdkSpan;
    if (this.spans.size >= this.max) this.endSpan(this.spans.keys().next().value!);
    const open = this.traces.get(traceId);
    const parent = (sdkSpan.parentId ? this.spans.get(sdkSpan.parentId)?.span : undefined) ?? open?.span;
    const attributes = spanAttributes(sdkSpan.spanData, this.sensitive);
    attributes[OA_ATTR.TRACE_ID] = traceId;
    attributes[OA_ATTR.SPAN_ID] = spanId;
    const span = this.tracer.startSpan(
      spanName(sdkSpan.spanData),
      { kind: kindOf(sdkSpan.spanData), attributes, startTime: timeOf(sdkSpan.startedAt) },
      parent ? trace.setSpan(context.active(), parent) : context.active(),
    );
    this.spans.set(spanId, { span, traceId });
    open?.spans.add(spanId);
    return span;
  }

  /**
   * A running span whose start has not reached this processor yet (processors before it in the SDK's
   * list delay it): bridged now, its start is then skipped. Only in a trace this processor bridges, so
   * that a processor the SDK does not call never opens a span nobody ends.
   */
  private early(sdkSpan: AnySdkSpan): Span | undefined {
    if (!sdkSpan.startedAt || sdkSpan.endedAt || !this.traces.has(sdkSpan.traceId)) return undefined;
    // Its parent may be delayed too: the SDK keeps the span that was current when this one began.
    const { parentId, previousSpan } = sdkSpan;
    if (parentId && !this.spans.has(parentId) && previousSpan?.spanId === parentId) this.early(previousSpan);
    return this.open(sdkSpan);
  }

  /** Ends a trace's span and the spans of it still open (leftovers of a run that stopped halfway). */
  private endTrace(traceId: string): void {
    const open = this.traces.get(traceId);
    if (!open) return;
    this.traces.delete(traceId);
    for (const spanId of [...open.spans]) this.endSpan(spanId);
    safely('trace end', () => open.span.end());
  }

  /** Ends a bridged span early (its trace ended, or past `maxOpenSpans`), and forgets it in its trace too. */
  private endSpan(spanId: string): void {
    const open = this.spans.get(spanId);
    if (!open) return;
    this.spans.delete(spanId);
    this.traces.get(open.traceId)?.spans.delete(spanId);
    safely('span end', () => open.span.end());
  }
}

/**
 * Runs one step of the bridge: an error in it (a tracer or span processor of the application that throws)
 * is told to OpenTelemetry's diagnostic logger, never thrown into the SDK, which would end the run with it.
 */
function safely<T>(what: string, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    diag.error(`OpenTelemetryTraceProcessor: ${what} failed; the run goes on without it.`, error);
    return undefined;
  }
}

function kindOf(data: SpanData): SpanKind {
  return data.type === 'generation' || data.type === 'response' ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

/** The SDK's ISO time (millisecond precision), when it has one. */
function timeOf(iso: string | null): Date | undefined {
  if (!iso) return undefined;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
