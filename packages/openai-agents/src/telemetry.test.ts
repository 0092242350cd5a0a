// ORBIT's spans and the SDK's own traces (bridged by OpenTelemetryTraceProcessor) in one trace.
import {
  Agent,
  getGlobalTraceProvider,
  type InputGuardrail,
  OpenAITracingExporter,
  run,
  setTraceProcessors,
  setTracingDisabled,
  setTracingExportApiKey,
  Trace,
  type TracingProcessor,
} from '@openai/agents';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { deployment } from '../../core/test/adapter-conformance-support.js';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { OpenTelemetryTraceProcessor, orbitContext, orbitOpenAIAgents } from './index.js';

const SECRET = 'SECRET-4711';
const calls = (id: string, name: string, args: Record<string, unknown>) => ({
  id,
  name,
  args: { ...args, confidence: 0.99 },
});

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// Nothing may leave the process: an export would be a fetch to OpenAI (with this key it would not be skipped).
const fetched = vi.fn(async () => new Response('{}', { status: 200 }));

beforeAll(() => {
  vi.stubGlobal('fetch', fetched);
  setTracingExportApiKey('sk-test-never-sent');
  // Vitest sets NODE_ENV=test, which turns the SDK's tracing off by default.
  setTracingDisabled(false);
});
afterEach(() => fetched.mockClear());
afterAll(() => {
  setTraceProcessors([]);
  setTracingDisabled(true);
  vi.unstubAllGlobals();
});

/** A guarded run with tools, an agent-as-tool, a handoff and an input guardrail, under a request span. */
async function scenario(includeSensitiveData = false, before: TracingProcessor[] = []) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  const bridge = new OpenTelemetryTraceProcessor({ tracer, includeSensitiveData });
  setTraceProcessors([...before, bridge]);
  const { orbit } = await deployment({ telemetry: { tracer } });
  const oa = orbitOpenAIAgents(orbit, { traceProcessor: bridge });
  const read = () =>
    oa.tool({
      name: 'read',
      description: 'read a record',
      parameters: z.object({ id: z.string() }),
      // The tool's own instrumentation (an HTTP client, a database driver).
      execute: async ({ id }: { id: string }) =>
        tracer.startActiveSpan('http read', (span) => {
          span.setAttribute('record', id);
          span.end();
          return `record ${id}: ${SECRET}`;
        }),
    });
  const researcher = new Agent({
    name: 'Researcher',
    instructions: 'research',
    model: new ScriptedAgentsModel([[calls('k-read', 'read', { id: 'k' })]], 'found'),
    tools: [read()],
  });
  const specialist = new Agent({
    name: 'Specialist',
    instructions: 'take over',
    model: new ScriptedAgentsModel([[calls('s-read', 'read', { id: 's' })]], 'handled'),
    tools: [read()],
  });
  const screened: InputGuardrail = {
    name: 'screen_input',
    execute: async () => ({ tripwireTriggered: false, outputInfo: { checked: true } }),
  };
  const boss = oa.agent(
    new Agent({
      name: 'Boss',
      instructions: 'work',
      inputGuardrails: [screened],
      model: new ScriptedAgentsModel([
        [calls('c-read', 'read', { id: 'r' }), calls('c-research', 'research', { task: 't' })],
        [{ id: 'c-handoff', name: 'transfer_to_Specialist', args: {} }],
      ]),
      tools: [
        read(),
        oa.subAgent(researcher, {
          profile: 'researcher',
          toolName: 'research',
          toolDescription: 'delegate research',
          parameters: z.object({ task: z.string() }),
          inputBuilder: ({ params }: { params: unknown }) => (params as { task: string }).task,
        }),
      ],
      handoffs: [oa.handoff(specialist, { profile: 'researcher' })],
    }),
  );
  const result = await tracer.startActiveSpan('request', async (request) => {
    try {
      return await run(boss, 'go', { context: orbitContext('traced') });
    } finally {
      request.end();
    }
  });
  await oa.endRun('traced');
  await provider.forceFlush();
  return { result, spans: exporter.getFinishedSpans() };
}

/** Readers of a finished span tree. */
function tree(spans: ReadableSpan[]) {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '');
  const named = (name: string) => spans.filter((s) => s.name === name);
  const one = (name: string, parent?: ReadableSpan) => {
    const found = named(name).filter((s) => parent === undefined || parentOf(s) === parent);
    expect(found, `one span "${name}"`).toHaveLength(1);
    return found[0]!;
  };
  const linked = (from: ReadableSpan, to: ReadableSpan) =>
    from.links.some((link) => link.context.spanId === to.spanContext().spanId);
  return { parentOf, named, one, linked };
}

/** Every attribute value of every span, as text. */
const attributeText = (spans: ReadableSpan[]) =>
  spans.flatMap((s) => Object.values(s.attributes).map((value) => JSON.stringify(value))).join('\n');

describe('OpenTelemetryTraceProcessor with a guarded run', () => {
  it('puts the request, ORBIT and the SDK spans in one trace, nested as the SDK nests them', async () => {
    const { result, spans } = await scenario();
    expect(result.finalOutput).toBe('handled');
    const { parentOf, one, named } = tree(spans);
    const request = one('request');
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(
      new Set([request.spanContext().traceId]),
    );

    // The SDK's tree: trace > task > agent > turn > function, under the application's request span.
    const sdkTrace = one('openai_agents.trace Agent workflow', request);
    expect(sdkTrace.attributes['openai_agents.span_type']).toBe('trace');
    const task = one('openai_agents.task Agent workflow', sdkTrace);
    const boss = one('openai_agents.agent Boss', task);
    expect(boss.attributes['openai_agents.agent.tools']).toEqual(['read', 'research']);
    expect(boss.attributes['openai_agents.agent.handoffs']).toEqual(['Specialist']);
    const turn = named('openai_agents.turn 1').find((s) => parentOf(s) === boss)!;
    expect(turn.attributes['openai_agents.agent_name']).toBe('Boss');
    const bossRead = one('openai_agents.function read', turn);
    expect(bossRead.attributes['openai_agents.span_type']).toBe('function');
    // The SDK's own times (ISO strings, whole milliseconds), in order.
    expect(bossRead.startTime[1] % 1_000_000).toBe(0);
    expect(bossRead.endTime[1] % 1_000_000).toBe(0);
    expect(bossRead.duration[0] >= 0 && bossRead.duration[1] >= 0).toBe(true);

    // The agent-as-tool: its nested task, agent, turn and function under the research function span.
    const research = one('openai_agents.function research', turn);
    const nestedTask = named('openai_agents.task Agent workflow').find((s) => parentOf(s) === research)!;
    expect(nestedTask).toBeDefined();
    const researcher = one('openai_agents.agent Researcher', nestedTask);
    const researcherTurn = named('openai_agents.turn 1').find((s) => parentOf(s) === researcher)!;
    one('openai_agents.function read', researcherTurn);

    // The handoff and the agent it handed to; the input guardrail under the agent it guards.
    const handoff = one('openai_agents.handoff');
    expect(handoff.attributes['openai_agents.handoff.from_agent']).toBe('Boss');
    expect(handoff.attributes['openai_agents.handoff.to_agent']).toBe('Specialist');
    expect(parentOf(parentOf(handoff)!)).toBe(boss);
    one('openai_agents.agent Specialist', task);
    const guardrail = one('openai_agents.guardrail screen_input', boss);
    expect(guardrail.attributes['openai_agents.guardrail.triggered']).toBe(false);
    expect(guardrail.attributes['openai_agents.span_type']).toBe('guardrail');
  });

  it("links ORBIT's call span with the SDK's function span both ways; the tool's own span nests under the SDK's", async () => {
    const { spans } = await scenario();
    const { parentOf, one, named, linked } = tree(spans);
    const decided = (callId: string) =>
      spans.find(
        (s) => s.attributes['orbit.decision'] !== undefined && s.attributes['gen_ai.tool.call.id'] === callId,
      )!;

    // ORBIT's decision, on its own span under ORBIT's run span, under the request.
    const orbitCall = decided('c-read');
    expect(orbitCall.name).toBe('execute_tool read');
    expect(orbitCall.attributes).toMatchObject({
      'orbit.decision': 'proceed',
      'gen_ai.tool.name': 'read',
      'orbit.reversibility': 'read_only',
      'orbit.confidence': 0.99,
    });
    expect(orbitCall.attributes['orbit.reasons']).toBeDefined();
    const orbitRun = parentOf(orbitCall)!;
    expect(orbitRun.attributes['orbit.run.id']).toBe('traced');
    expect(parentOf(orbitRun)).toBe(one('request'));

    // The SDK's function span of the same call: the one whose own tool span is for record r.
    const http = named('http read');
    expect(http).toHaveLength(3);
    const httpOf = (id: string) => http.find((s) => s.attributes['record'] === id)!;
    const sdkRead = parentOf(httpOf('r'))!;
    expect(sdkRead.name).toBe('openai_agents.function read');
    expect(parentOf(parentOf(sdkRead)!)!.name).toBe('openai_agents.agent Boss');
    expect(linked(orbitCall, sdkRead)).toBe(true);
    expect(linked(sdkRead, orbitCall)).toBe(true);

    // Inside the agent-as-tool and after the handoff: each call's spans link the same way.
    for (const [callId, record, agent] of [
      ['k-read', 'k', 'Researcher'],
      ['s-read', 's', 'Specialist'],
    ] as const) {
      const sdk = parentOf(httpOf(record))!;
      expect(sdk.name).toBe('openai_agents.function read');
      expect(parentOf(parentOf(sdk)!)!.name).toBe(`openai_agents.agent ${agent}`);
      const orbit = decided(callId);
      expect(orbit.attributes['orbit.decision']).toBe('proceed');
      expect(orbit.attributes['orbit.token.depth']).toBe(1);
      expect(linked(orbit, sdk) && linked(sdk, orbit)).toBe(true);
    }
    // The sub-agent's ORBIT run hangs under its parent's run.
    expect(parentOf(decided('k-read'))!.attributes['orbit.run.parent_id']).toBe('traced');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("keeps tools' inputs and outputs out of every span by default", async () => {
    const { result, spans } = await scenario();
    // The secret went through the run: the model read it.
    expect(JSON.stringify(result.history)).toContain(SECRET);
    const text = attributeText(spans);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('"task":"t"');
    const functions = spans.filter((s) => s.attributes['openai_agents.span_type'] === 'function');
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const span of functions) {
      expect(span.attributes['openai_agents.input']).toBeUndefined();
      expect(span.attributes['openai_agents.output']).toBeUndefined();
    }
  });

  it('puts them on the function spans when the application opts in (includeSensitiveData)', async () => {
    const { spans } = await scenario(true);
    const { parentOf, named } = tree(spans);
    const sdkRead = parentOf(named('http read').find((s) => s.attributes['record'] === 'r')!)!;
    expect(sdkRead.attributes['openai_agents.output']).toBe(`record r: ${SECRET}`);
    expect(JSON.parse(sdkRead.attributes['openai_agents.input'] as string)).toEqual({
      id: 'r',
      confidence: 0.99,
    });
    // ORBIT's own spans still hold no input or output (its telemetry options are its own).
    const orbitText = attributeText(spans.filter((s) => s.attributes['orbit.decision'] !== undefined));
    expect(orbitText).not.toContain(SECRET);
  });

  it("nests a tool's own span under its function span also when processors before the bridge delay it", async () => {
    const later = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
    const slow: TracingProcessor = {
      onTraceStart: later,
      onTraceEnd: later,
      onSpanStart: later,
      onSpanEnd: later,
      shutdown: async () => {},
      forceFlush: async () => {},
    };
    const { spans } = await scenario(false, [slow]);
    const { parentOf, named, linked } = tree(spans);
    expect(named('http read')).toHaveLength(3);
    for (const http of named('http read')) {
      const sdk = parentOf(http)!;
      expect(sdk.name).toBe('openai_agents.function read');
      expect(parentOf(parentOf(sdk)!)!.name).toMatch(/^openai_agents\.agent /);
      const orbit = spans.find((s) => s.attributes['orbit.decision'] !== undefined && linked(s, sdk));
      expect(orbit?.name).toBe('execute_tool read');
    }
    // Every SDK span ended once, none left open (each bridged span is exported when it ends).
    const ids = spans.map((s) => s.attributes['openai_agents.span_id']).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(15);
  });

  it('exports nothing to OpenAI: setTraceProcessors replaced the SDK exporter', async () => {
    await scenario();
    await getGlobalTraceProvider().forceFlush();
    await getGlobalTraceProvider().shutdown();
    expect(fetched).not.toHaveBeenCalled();
    // The control: the SDK's exporter, had it stayed, would have sent the trace with this key.
    await new OpenAITracingExporter({ maxRetries: 1 }).export([new Trace({ name: 'control' })]);
    expect(fetched).toHaveBeenCalledTimes(1);
  });
});
