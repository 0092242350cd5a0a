import type { AIMessage, BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { toolsCondition } from '@langchain/langgraph/prebuilt';
import { defineTool } from '@orbit-agents/core';
import { createAgent } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionsOf, orbitOf, type ScriptedCall, ScriptedChatModel } from '../test/support.js';
import { type OrbitLangGraph, orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

const input = { messages: [{ role: 'user', content: 'go' }] };
const batch: ScriptedCall[] = [
  { name: 'read', args: { id: 'r1', confidence: 0.99 }, id: 'c-auto' },
  { name: 'send', args: { id: 's1', confidence: 0.8 }, id: 'c-approve' },
  { name: 'update', args: { id: 'u1', confidence: 0.8 }, id: 'c-reject' },
];

function lcTools(executed: string[]) {
  return ['read', 'draft', 'update', 'send'].map((name) =>
    tool(
      async ({ id }: { id: string }) => {
        executed.push(`${name}:${id}`);
        return `${name} ok ${id}`;
      },
      { name, description: name, schema: z.object({ id: z.string() }) },
    ),
  );
}

/** A hand-built agent graph: model node, guarded tool node; `perCall` routes one Send per call. */
function handBuilt(orbitLg: OrbitLangGraph, model: ScriptedChatModel, executed: string[], perCall: boolean) {
  const callModel = async (state: typeof MessagesAnnotation.State, config: RunnableConfig) => {
    const message = (await model.invoke(state.messages, config)) as AIMessage;
    orbitLg.recordUsage(message, config);
    return { messages: [message] };
  };
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', callModel)
    .addNode('tools', orbitLg.toolNode(lcTools(executed)))
    .addEdge(START, 'agent')
    .addEdge('tools', 'agent');
  if (perCall) graph.addConditionalEdges('agent', orbitLg.routeToolCalls('tools'), ['tools', END]);
  else graph.addConditionalEdges('agent', toolsCondition, ['tools', END]);
  return graph.compile({ checkpointer: new MemorySaver() });
}

function toolResults(messages: BaseMessage[]) {
  return Object.fromEntries(
    messages
      .filter((m) => m.getType() === 'tool')
      .map((m) => [(m as unknown as { tool_call_id: string }).tool_call_id, String(m.content)]),
  );
}

describe('guarded tools in a hand-built StateGraph', () => {
  for (const perCall of [true, false]) {
    it(`runs a mixed batch with ${perCall ? 'one Send per call' : 'the prebuilt ToolNode running all calls in one node'}: each call once, each decision once`, async () => {
      const { orbit, sink } = await orbitOf();
      const orbitLg = orbitLangGraph(orbit);
      const executed: string[] = [];
      const app = handBuilt(orbitLg, new ScriptedChatModel([batch]), executed, perCall);
      const config = { configurable: { thread_id: `graph-${perCall}` } };
      const first = await app.invoke(input, config);
      expect(executed).toEqual(['read:r1']);
      // With one node for all calls, LangGraph raises the second interrupt only after the first is answered.
      let result = first;
      for (let turn = 0; turn < 3 && pendingApprovals(result).length > 0; turn++) {
        result = await app.invoke(
          resumeWith(result, (p) =>
            p.value.orbit.tool === 'send' ? { type: 'approve' } : { type: 'reject', message: 'no' },
          ),
          config,
        );
      }
      expect(pendingApprovals(result)).toEqual([]);
      // The auto call ran once although the node re-ran on resume; its result is the same.
      expect(executed).toEqual(['read:r1', 'send:s1']);
      const results = toolResults(result.messages);
      expect(Object.keys(results).sort()).toEqual(['c-approve', 'c-auto', 'c-reject']);
      expect(results['c-auto']).toBe('read ok r1');
      expect(results['c-approve']).toBe('send ok s1');
      expect(results['c-reject']).toBe('no');
      expect(decisionsOf(sink).map((d) => d.call_id)).toEqual(['c-auto', 'c-approve', 'c-reject']);
      expect(sink.events.filter((e) => e.event === 'outcome' && e.status === 'executed')).toHaveLength(2);
      expect(result.messages.at(-1)!.content).toBe('done');
    });
  }

  it('halts the invoke from a guarded tool (the prebuilt ToolNode does not swallow it)', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const model = new ScriptedChatModel([
      [
        { name: 'read', args: { id: 'x', confidence: 0.99 }, id: 'c1' },
        { name: 'merge', args: {}, id: 'c2' },
      ],
    ]);
    const mergeTool = tool(async () => executed.push('merge'), {
      name: 'merge',
      description: 'merge',
      schema: z.object({}),
    });
    const app = new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addNode('tools', orbitLg.toolNode([...lcTools(executed), mergeTool]))
      .addEdge(START, 'agent')
      .addConditionalEdges('agent', orbitLg.routeToolCalls(), ['tools', END])
      .addEdge('tools', 'agent')
      .compile({ checkpointer: new MemorySaver() });
    const error = await app.invoke(input, { configurable: { thread_id: 'halt' } }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('RunHaltedError');
    expect(executed).not.toContain('merge');
  });
});

describe('createAgent version "v1" (all calls in one node)', () => {
  it('does not re-run the auto sibling on resume; its recorded result answers', async () => {
    const { orbit, sink } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const agent = createAgent({
      model: new ScriptedChatModel([batch.slice(0, 2)]),
      tools: lcTools(executed),
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
      version: 'v1',
    });
    const config = { configurable: { thread_id: 'v1' } };
    const first = await agent.invoke(input, config);
    const second = await agent.invoke(
      resumeWith(first, () => ({ type: 'approve' })),
      config,
    );
    expect(executed).toEqual(['read:r1', 'send:s1']);
    expect(toolResults(second.messages)['c-auto']).toBe('read ok r1');
    expect(decisionsOf(sink)).toHaveLength(2);
  });
});

describe('a compiled sub-graph used as a node', () => {
  it('runs under a token minted for it, never under the parent run', async () => {
    const { orbit, sink } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const childModel = new ScriptedChatModel([
      [
        { name: 'read', args: { id: 'k', confidence: 0.99 }, id: 'k1' },
        { name: 'send', args: { id: 'k', confidence: 0.99 }, id: 'k2' },
      ],
    ]);
    const child = handBuilt(orbitLg, childModel, executed, true);
    const parent = new StateGraph(MessagesAnnotation)
      .addNode('worker', orbitLg.subGraph(child, { profile: 'researcher', agentId: 'worker' }))
      .addEdge(START, 'worker')
      .addEdge('worker', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'sub-node' } };
    const first = await parent.invoke(input, config);
    // The sub-graph's pause reaches the top-level caller, from the worker's own run.
    const [pending] = pendingApprovals(first);
    expect(pending!.value.orbit).toMatchObject({ tool: 'send', agent_id: 'worker', depth: 1 });
    expect(executed).toEqual(['read:k']);
    const result = await parent.invoke(
      resumeWith(first, () => ({ type: 'approve' })),
      config,
    );
    expect(pendingApprovals(result)).toEqual([]);
    // The node re-ran on resume: the delegation and the read were not repeated.
    expect(executed).toEqual(['read:k', 'send:k']);
    const root = orbitLg.runOf(config);
    const decisions = sink.events.filter((e) => e.event === 'decision');
    expect(decisions.map((e) => [e.agent_id, e.tool, e.decision])).toEqual([
      [root.agentId, 'spawn_sub_agent', 'proceed'],
      ['worker', 'read', 'proceed'],
      ['worker', 'send', 'pause'],
    ]);
    expect(sink.events.filter((e) => e.event === 'token' && e.token === 'minted')).toHaveLength(1);
    expect(decisions[1]!.run_id).not.toBe(root.id);
    expect(decisions[1]!.token_id).toEqual(expect.any(String));
  });
});

describe('ORBIT tool definitions as LangChain tools', () => {
  it("records the tool's own output and gives undo that output and the call's context", async () => {
    const { orbit, sink } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const undone: unknown[] = [];
    const draft = orbitLg.tool(
      defineTool({
        name: 'draft',
        input: z.object({ id: z.string() }),
        execute: ({ id }) => ({ id, previous: 'old text' }),
        undo: (input, output, context) => undone.push({ input, output, context }),
      }),
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'draft', args: { id: 'd1', confidence: 0.99 }, id: 'c1' }]]),
      tools: [draft],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'undo' } };
    const result = await agent.invoke(input, config);
    expect(toolResults(result.messages).c1).toBe(JSON.stringify({ id: 'd1', previous: 'old text' }));
    expect(sink.events.find((e) => e.event === 'outcome')!.output).toEqual({
      id: 'd1',
      previous: 'old text',
    });
    const run = orbitLg.runOf(config);
    const report = await run.rollback();
    expect(report.undone.map((entry) => entry.call_id)).toEqual(['c1']);
    expect(undone).toEqual([
      {
        input: { id: 'd1' },
        output: { id: 'd1', previous: 'old text' },
        context: { runId: run.id, callId: 'c1', agentId: run.agentId },
      },
    ]);
  });
});

describe('a call to a tool the node does not have', () => {
  for (const perCall of [true, false]) {
    it(`is decided, not crashed on (${perCall ? 'one Send per call' : 'one node for all calls'})`, async () => {
      const { orbit, sink } = await orbitOf();
      const orbitLg = orbitLangGraph(orbit);
      const executed: string[] = [];
      const onlyRead = lcTools(executed).filter((t) => t.name === 'read');
      const model = new ScriptedChatModel([
        [
          { name: 'read', args: { id: 'r', confidence: 0.99 }, id: 'c-read' },
          { name: 'draft', args: { id: 'd', confidence: 0.99 }, id: 'c-draft' },
        ],
        [{ name: 'wipe_database', args: {}, id: 'c-wipe' }],
      ]);
      const graph = new StateGraph(MessagesAnnotation)
        .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
        .addNode('tools', orbitLg.toolNode(onlyRead))
        .addEdge(START, 'agent')
        .addEdge('tools', 'agent');
      if (perCall) graph.addConditionalEdges('agent', orbitLg.routeToolCalls('tools'), ['tools', END]);
      else graph.addConditionalEdges('agent', toolsCondition, ['tools', END]);
      const app = graph.compile({ checkpointer: new MemorySaver() });
      const error = await app
        .invoke(input, { configurable: { thread_id: `unknown-${perCall}` } })
        .catch((e: unknown) => e);
      // draft is in the manifest but not in the node: blocked (never paused); wipe_database halts.
      expect((error as Error).name).toBe('RunHaltedError');
      expect(executed).toEqual(['read:r']);
      expect(decisionsOf(sink).map((d) => [d.tool, d.decision, d.reasons])).toEqual([
        ['read', 'proceed', []],
        ['draft', 'block', ['input_invalid']],
        ['wipe_database', 'halt', ['tool_not_in_manifest']],
      ]);
      expect(sink.events.find((e) => e.event === 'outcome' && e.call_id === 'c-draft')).toMatchObject({
        status: 'not_executed',
      });
    });
  }
});
