import { MemorySaver } from '@langchain/langgraph';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createAgent, tool } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf, ScriptedChatModel } from '../test/support.js';
import { orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const input = { messages: [{ role: 'user', content: 'go' }] };

async function supervisorWithResearcher(tracer?: ReturnType<TracerProvider['getTracer']>) {
  const { orbit, sink } = await orbitOf({}, tracer ? { telemetry: { tracer } } : {});
  const orbitLg = orbitLangGraph(orbit);
  const executed: string[] = [];
  const make = (name: string) =>
    tool(
      async ({ id }: { id: string }) => {
        executed.push(`${name}:${id}`);
        // The tool's own span nests under ORBIT's execute_tool span.
        tracer?.startActiveSpan(`http ${name}`, (span) => span.end());
        return `${name} ok`;
      },
      { name, description: name, schema: z.object({ id: z.string() }) },
    );
  const child = createAgent({
    model: new ScriptedChatModel([
      [
        { name: 'read', args: { id: 'r', confidence: 0.99 }, id: 'k-read' },
        { name: 'send', args: { id: 's', confidence: 0.95 }, id: 'k-send' },
      ],
    ]),
    tools: ['read', 'send'].map(make),
    middleware: [orbitLg.middleware()],
  });
  const research = orbitLg.subAgent(child, {
    profile: 'researcher',
    name: 'research',
    description: 'research',
    schema: z.object({ task: z.string() }),
    input: ({ task }) => ({ messages: [{ role: 'user', content: task }] }),
  });
  const checkpointer = new MemorySaver();
  const parent = createAgent({
    model: new ScriptedChatModel([[{ name: 'research', args: { task: 't' }, id: 'p1' }]]),
    tools: [research],
    middleware: [orbitLg.middleware()],
    checkpointer,
  });
  return { parent, checkpointer, sink, executed, orbitLg };
}

describe('spans across a pause and a resume', () => {
  it('records one span per call and per approval, nested root → spawn → sub-agent → call → tool', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer(
      't',
    );
    const { parent, orbitLg } = await supervisorWithResearcher(tracer);
    const config = { configurable: { thread_id: 'spans' } };
    const first = await parent.invoke(input, config);
    await parent.invoke(
      resumeWith(first, () => ({ type: 'approve' })),
      config,
    );
    await orbitLg.endRun(config);
    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((span) => span.name === name);
    // The interrupted nodes ran twice; the spans were made once.
    expect(named('execute_tool read')).toHaveLength(1);
    expect(named('execute_tool send')).toHaveLength(1);
    expect(named('orbit.await_approval send')).toHaveLength(1);
    expect(named('http send')).toHaveLength(1);
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const chain = (name: string) => {
      const names: string[] = [];
      for (let span = named(name)[0]; span; span = byId.get(span.parentSpanContext?.spanId ?? ''))
        names.push(span.name);
      return names;
    };
    expect(chain('http send')).toEqual([
      'http send',
      'execute_tool send',
      'invoke_agent researcher',
      'execute_tool spawn_sub_agent',
      'invoke_agent lg-agent',
    ]);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

describe('secrets', () => {
  it('keeps tokens out of the checkpoint: the context holds a run id only', async () => {
    const { parent, checkpointer, sink } = await supervisorWithResearcher();
    const config = { configurable: { thread_id: 'secrets' } };
    const first = await parent.invoke(input, config);
    expect(pendingApprovals(first)).toHaveLength(1);
    const saved: unknown[] = [];
    for await (const tuple of checkpointer.list({ configurable: { thread_id: 'secrets' } }))
      saved.push(tuple);
    const text = JSON.stringify(saved) + JSON.stringify(first);
    const minted = sink.events.find((e) => e.event === 'token' && e.token === 'minted')!;
    expect(minted.token_id).toEqual(expect.any(String));
    // No compact JWS (header.payload.signature, base64url JSON) anywhere in what LangGraph persisted.
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });

  it('fails closed without a checkpointer: the paused call does not run', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const send = tool(async () => executed.push('send'), {
      name: 'send',
      description: 's',
      schema: z.object({ id: z.string() }),
    });
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'send', args: { id: 'x', confidence: 0.5 }, id: 'c1' }]]),
      tools: [send],
      middleware: [orbitLg.middleware()],
    });
    const error = await agent.invoke(input, { configurable: { thread_id: 'none' } }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/checkpointer/i);
    expect(executed).toEqual([]);
  });
});
