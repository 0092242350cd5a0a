// Second review, the trace bridge: a tracer of the application that throws must not break the SDK's run,
// and a trace that never ends must not keep every span it ever opened.

import {
  Agent,
  createCustomSpan,
  run,
  setTraceProcessors,
  setTracingDisabled,
  type Trace,
  withTrace,
} from '@openai/agents';
import { context, diag } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, deploy, sdkToolOptions } from '../test/support.js';
import { OpenTelemetryTraceProcessor, orbitContext, orbitOpenAIAgents } from './index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// Vitest sets NODE_ENV=test, which turns the SDK's tracing off by default.
beforeAll(() => setTracingDisabled(false));
afterAll(() => {
  setTraceProcessors([]);
  setTracingDisabled(true);
});

/** A span processor of the application that throws when a span starts or ends. */
function throwing(when: 'onStart' | 'onEnd'): SpanProcessor {
  const processor = {
    onStart() {},
    onEnd() {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  processor[when] = () => {
    throw new Error(`span processor ${when} failed`);
  };
  return processor as SpanProcessor;
}

describe('a tracer that throws', () => {
  it.each(['onStart', 'onEnd'] as const)(
    'does not break the run (a span processor failing in %s): the tool runs, the run ends, OpenTelemetry’s diag is told',
    async (when) => {
      const errors = vi.spyOn(diag, 'error').mockImplementation(() => undefined);
      const provider = new TracerProvider({ spanProcessors: [throwing(when)] });
      const bridge = new OpenTelemetryTraceProcessor({ tracer: provider.getTracer('app') });
      setTraceProcessors([bridge]);
      const { orbit } = await deploy();
      const orbitAgents = orbitOpenAIAgents(orbit, { traceProcessor: bridge });
      const tools = sdkToolOptions();
      const agent = orbitAgents.agent(
        new Agent({
          name: 'reader',
          model: new ScriptedAgentsModel([[call('c1', 'read', { id: 'r' })]]),
          tools: [orbitAgents.tool(tools.read)],
        }),
      );
      const result = await run(agent, 'go', { context: orbitContext(`t-tracer-${when}`) });
      expect(result.finalOutput).toBe('done');
      expect(tools.ran).toEqual(['read:r']);
      expect(errors).toHaveBeenCalled();
      errors.mockRestore();
    },
  );
});

describe('a trace that never ends', () => {
  it('keeps at most maxOpenSpans of its spans, also in the trace’s own list', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const bridge = new OpenTelemetryTraceProcessor({ tracer: provider.getTracer('app'), maxOpenSpans: 5 });
    setTraceProcessors([bridge]);
    // What the bridge holds for the trace (the spans it would end with it).
    const held = (sdkTrace: Trace) =>
      (bridge as unknown as { traces: Map<string, { spans: Set<string> }> }).traces.get(sdkTrace.traceId)!
        .spans.size;
    await withTrace('long-lived', async (sdkTrace) => {
      for (let i = 0; i < 100; i++)
        createCustomSpan({ data: { name: `never-ended-${i}`, data: {} } }).start();
      expect(held(sdkTrace)).toBe(5);
    });
    expect(exporter.getFinishedSpans()).toHaveLength(101); // each span ended, early or with the trace
  });
});
