// The bridge on its own: SDK traces and spans made with the SDK's tracing API, read back as OpenTelemetry spans.
import {
  createCustomSpan,
  getCurrentSpan,
  getCurrentTrace,
  NoopSpan,
  setTraceProcessors,
  setTracingDisabled,
  type TracingProcessor,
  withCustomSpan,
  withFunctionSpan,
  withGuardrailSpan,
  withTrace,
} from '@openai/agents';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenTelemetryTraceProcessor, type OpenTelemetryTraceProcessorOptions } from './index.js';

const SECRET = 'SECRET-0815';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// Vitest sets NODE_ENV=test, which turns the SDK's tracing off by default.
beforeAll(() => setTracingDisabled(false));
afterAll(() => {
  setTraceProcessors([]);
  setTracingDisabled(true);
});

/** A registered bridge writing to an in-memory exporter. */
function bridged(options: Partial<OpenTelemetryTraceProcessorOptions> = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  const bridge = new OpenTelemetryTraceProcessor({ tracer, ...options });
  setTraceProcessors([bridge]);
  const finished = () => exporter.getFinishedSpans();
  const named = (name: string) => finished().find((s) => s.name === name)!;
  return { bridge, tracer, finished, named };
}

/** A workflow with a custom span that fails with data and a function span whose tool throws. */
async function failing() {
  await withTrace(
    'billing',
    async () => {
      await withCustomSpan(
        async (span) => span.setError({ message: 'lookup failed', data: { id: SECRET } }),
        {
          data: { name: 'lookup', data: { customer: SECRET } },
        },
      );
      await withFunctionSpan(
        async () => {
          throw new Error(`no invoice for ${SECRET}`);
        },
        { data: { name: 'pay' } },
      ).catch(() => undefined);
      await withGuardrailSpan(async (span) => (span.spanData.triggered = true), { data: { name: 'pii' } });
    },
    { groupId: 'thread-7', metadata: { user: SECRET } },
  );
}

describe('OpenTelemetryTraceProcessor', () => {
  it('opens each SDK trace under the OpenTelemetry context active when it starts', async () => {
    const { tracer, named } = bridged();
    await tracer.startActiveSpan('request', async (request) => {
      await withTrace('billing', async () => undefined, { groupId: 'thread-7' });
      request.end();
    });
    const sdkTrace = named('openai_agents.trace billing');
    expect(sdkTrace.parentSpanContext?.spanId).toBe(named('request').spanContext().spanId);
    expect(sdkTrace.attributes).toMatchObject({
      'openai_agents.span_type': 'trace',
      'openai_agents.workflow_name': 'billing',
      'openai_agents.group_id': 'thread-7',
    });
  });

  it("makes errors ERROR statuses and keeps data, a tool's error text and metadata out by default", async () => {
    const { finished, named } = bridged();
    await failing();
    const lookup = named('openai_agents.custom lookup');
    expect(lookup.status).toEqual({ code: SpanStatusCode.ERROR, message: 'lookup failed' });
    expect(named('openai_agents.function pay').status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'Error running tool',
    });
    expect(named('openai_agents.guardrail pii').attributes['openai_agents.guardrail.triggered']).toBe(true);
    expect(JSON.stringify(finished().map((s) => [s.attributes, s.status]))).not.toContain(SECRET);
  });

  it('puts them on the spans with includeSensitiveData', async () => {
    const { named } = bridged({ includeSensitiveData: true });
    await failing();
    const lookup = named('openai_agents.custom lookup');
    expect(JSON.parse(lookup.attributes['openai_agents.data'] as string)).toEqual({ customer: SECRET });
    expect(JSON.parse(lookup.attributes['openai_agents.error.data'] as string)).toEqual({ id: SECRET });
    expect(named('openai_agents.function pay').status.message).toBe(`no invoice for ${SECRET}`);
    expect(named('openai_agents.trace billing').attributes['openai_agents.metadata']).toContain(SECRET);
  });

  it("gives the bridged span's context while it is open, and nothing for a span it did not bridge", async () => {
    const { bridge, tracer, named } = bridged();
    let ended: ReturnType<typeof getCurrentSpan> = null;
    await withTrace('billing', async () => {
      expect(trace.getSpan(bridge.contextOf(getCurrentTrace())!)).toBeDefined();
      await withFunctionSpan(
        async (span) => {
          ended = span;
          const inside = bridge.contextOf(getCurrentSpan());
          expect(inside).toBeDefined();
          // Code run in that context nests under the SDK's span.
          context.with(inside!, () => tracer.startSpan('http').end());
        },
        { data: { name: 'fetch' } },
      );
      expect(bridge.contextOf(ended)).toBeUndefined();
    });
    expect(named('http').parentSpanContext?.spanId).toBe(
      named('openai_agents.function fetch').spanContext().spanId,
    );
    expect(bridge.contextOf(null)).toBeUndefined();
    expect(bridge.contextOf(new NoopSpan({ type: 'custom', name: 'x', data: {} }, bridge))).toBeUndefined();
  });

  it('ends the spans a trace leaves open when the trace ends, and forgets them', async () => {
    const { bridge, named } = bridged();
    let dangling: ReturnType<typeof createCustomSpan> | undefined;
    await withTrace('billing', async () => {
      dangling = createCustomSpan({ data: { name: 'dangling', data: {} } });
      dangling.start();
    });
    expect(named('openai_agents.custom dangling').ended).toBe(true);
    expect(bridge.contextOf(dangling)).toBeUndefined();
  });

  it('keeps at most maxOpenSpans open: past it, the oldest is ended', async () => {
    const { finished } = bridged({ maxOpenSpans: 2 });
    await withTrace('billing', async () => {
      for (const name of ['first', 'second', 'third']) createCustomSpan({ data: { name, data: {} } }).start();
      expect(finished().map((s) => s.name)).toEqual(['openai_agents.custom first']);
    });
  });

  it('ends what is open when the SDK shuts it down', async () => {
    const { bridge, named } = bridged();
    await withTrace('billing', async () => {
      createCustomSpan({ data: { name: 'open', data: {} } }).start();
      await bridge.shutdown();
      expect(named('openai_agents.custom open').ended).toBe(true);
      expect(named('openai_agents.trace billing').ended).toBe(true);
    });
  });

  it('opens nothing when the SDK does not call it (not registered)', async () => {
    const { bridge, finished } = bridged();
    const other: TracingProcessor = {
      onTraceStart: async () => {},
      onTraceEnd: async () => {},
      onSpanStart: async () => {},
      onSpanEnd: async () => {},
      shutdown: async () => {},
      forceFlush: async () => {},
    };
    setTraceProcessors([other]);
    await withTrace('billing', async () => {
      await withFunctionSpan(async () => expect(bridge.contextOf(getCurrentSpan())).toBeUndefined(), {
        data: { name: 'fetch' },
      });
    });
    expect(finished()).toEqual([]);
  });
});
