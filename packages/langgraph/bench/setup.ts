// The LangGraph bench's fixtures: the manifest, ORBIT bindings with or without a JSONL sink, the trivial
// tool, and the agents and graphs each variant invokes; and the checks that they ran every call. Nothing here
// is timed.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BaseMessage, isAIMessage, type ToolMessage } from '@langchain/core/messages';
import { END, MemorySaver, MessagesAnnotation, Send, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { type AuditSink, createOrbit, JsonlFileSink, loadManifest } from '@orbit-agents/core';
import { createAgent, createMiddleware, tool } from 'langchain';
import { z } from 'zod';
import { type Shape, shapeOf } from '../../../bench/lib/shapes.js';
import { manifestOf, ScriptedChatModel } from '../test/support.js';
import { type OrbitLangGraph, orbitLangGraph } from './adapter.js';

/** Tool calls per invoke, in both shapes. */
export const CALLS = 10;

const manifest = await loadManifest({
  manifest: manifestOf(),
  allowUnsigned: true,
  logger: { warn() {} },
});
export const sinkPath = join(tmpdir(), `orbit-lg-bench-${process.pid}.jsonl`);
export const jsonlSinks: JsonlFileSink[] = [];

/** A fresh ORBIT binding; `jsonl`: with a hash-chained JSONL audit sink (all bindings share one file). */
export function bindingOf(jsonl: boolean): OrbitLangGraph {
  let sink: AuditSink | undefined;
  if (jsonl) {
    const file = new JsonlFileSink(sinkPath);
    jsonlSinks.push(file);
    sink = file;
  }
  return orbitLangGraph(createOrbit({ manifest, sink }));
}

/** The trivial tool: `read` is `read_only` in the manifest; confidence 0.99 proceeds at maturity level 3. */
export const readTool = tool(async ({ id }: { id: string }) => `ok ${id}`, {
  name: 'read',
  description: 'Reads a record',
  schema: z.object({ id: z.string(), confidence: z.number().optional() }),
});

export const SHAPES: Shape[] = [shapeOf(1, CALLS), shapeOf(CALLS, 1)];
export const INPUT = { messages: [{ role: 'user', content: 'go' }] };

export type Invoke = (config: {
  configurable: { thread_id: string };
}) => Promise<{ messages: BaseMessage[] }>;

export interface Variant {
  key: 'lc' | 'noop' | 'orbit' | 'orbitJsonl' | 'graph' | 'graphOrbit';
  label: string;
  invoke: Invoke;
  checkpointer: MemorySaver;
  binding?: OrbitLangGraph;
  /** Per tool call, ns, one per timed round. */
  samples: number[];
}

/** The same pending-calls edge as `orbitLg.routeToolCalls()`, for the graph without ORBIT. */
function sendEach(state: { messages: BaseMessage[] }): Send[] | string {
  const last = state.messages.at(-1);
  const calls = last && isAIMessage(last) ? (last.tool_calls ?? []) : [];
  if (calls.length === 0) return END;
  return calls.map((call) => new Send('tools', { ...state, lg_tool_call: call }));
}

/** A hand-built ReAct graph: model node, one `Send` per tool call to a `ToolNode`, back to the model. */
export function graphOf(shape: Shape, checkpointer: MemorySaver, binding?: OrbitLangGraph): Invoke {
  const model = new ScriptedChatModel(shape.turns);
  const toolNode = binding
    ? binding.toolNode([readTool])
    : new ToolNode([readTool], { handleToolErrors: false });
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state, config) => {
      const message = await model.invoke(state.messages);
      binding?.recordUsage(message, config);
      return { messages: [message] };
    })
    .addNode('tools', toolNode)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', binding ? binding.routeToolCalls() : sendEach, ['tools', END])
    .addEdge('tools', 'agent')
    .compile({ checkpointer });
  return (config) => graph.invoke(INPUT, config) as Promise<{ messages: BaseMessage[] }>;
}

export function agentOf(shape: Shape, checkpointer: MemorySaver, binding?: OrbitLangGraph): Invoke {
  const agent = createAgent({
    model: new ScriptedChatModel(shape.turns),
    tools: [readTool],
    checkpointer,
    ...(binding ? { middleware: [binding.middleware()] } : {}),
  });
  return (config) => agent.invoke(INPUT, config);
}

/** The control: a middleware with the same two hooks as ORBIT's, doing nothing but call on. */
export const passThrough = createMiddleware({
  name: 'PassThrough',
  wrapToolCall: (request, handler) => handler(request),
  wrapModelCall: (request, handler) => handler(request),
});

function passThroughAgentOf(shape: Shape, checkpointer: MemorySaver): Invoke {
  const agent = createAgent({
    model: new ScriptedChatModel(shape.turns),
    tools: [readTool],
    checkpointer,
    middleware: [passThrough],
  });
  return (config) => agent.invoke(INPUT, config);
}

export function variantsOf(shape: Shape): Variant[] {
  const make = (
    key: Variant['key'],
    label: string,
    build: typeof agentOf,
    binding?: OrbitLangGraph,
  ): Variant => {
    const checkpointer = new MemorySaver();
    return { key, label, invoke: build(shape, checkpointer, binding), checkpointer, binding, samples: [] };
  };
  return [
    make('lc', 'createAgent (LangChain alone)', agentOf),
    make('noop', 'createAgent + pass-through middleware', passThroughAgentOf),
    make('orbit', 'createAgent + ORBIT middleware, no sink', agentOf, bindingOf(false)),
    make('orbitJsonl', 'createAgent + ORBIT middleware, JSONL sink', agentOf, bindingOf(true)),
    make('graph', 'StateGraph + ToolNode (LangGraph alone)', graphOf),
    make('graphOrbit', 'StateGraph + orbitLg.toolNode', graphOf, bindingOf(false)),
  ];
}

/** Every call ran the tool (nothing refused, paused or failed) and the agent finished. */
export function checkResult(
  label: string,
  result: { messages: BaseMessage[] } & { __interrupt__?: unknown },
): void {
  const tools = result.messages.filter((message) => message.getType() === 'tool') as ToolMessage[];
  const ok =
    result.__interrupt__ === undefined &&
    tools.length === CALLS &&
    tools.every((message) => message.status !== 'error' && String(message.content).startsWith('ok r')) &&
    result.messages.at(-1)?.content === 'done';
  if (!ok)
    throw new Error(
      `bench setup: ${label} did not run its ${CALLS} calls: ${JSON.stringify(result.messages)}`,
    );
}

/** After the checked invokes: the JSONL file has a `proceed` decision for every call, and nothing else decided. */
export function checkAuditFile(): void {
  for (const sink of jsonlSinks) sink.flush();
  const events = readFileSync(sinkPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; decision?: string });
  const decisions = events.filter((event) => event.event === 'decision');
  if (decisions.length !== SHAPES.length * CALLS || decisions.some((event) => event.decision !== 'proceed')) {
    throw new Error(
      `bench setup: expected ${SHAPES.length * CALLS} proceed decisions, got ${JSON.stringify(decisions)}`,
    );
  }
}
