import { MemorySaver } from '@langchain/langgraph';
import { createAgent, tool, toolRetryMiddleware } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionsOf, orbitOf, ScriptedChatModel } from '../test/support.js';
import { haltOf } from './index.js';
import { orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

function toolsLogging(executed: string[]) {
  const make = (name: string) =>
    tool(
      async ({ id }: { id: string }) => {
        executed.push(`${name}:${id}`);
        return `${name} ok ${id}`;
      },
      {
        name,
        description: `${name} a thing`,
        schema: z.object({ id: z.string(), confidence: z.number().optional() }),
      },
    );
  return ['read', 'draft', 'update', 'send', 'merge'].map(make);
}

async function setUp(turns: ConstructorParameters<typeof ScriptedChatModel>[0]) {
  const { orbit, sink } = await orbitOf();
  const orbitLg = orbitLangGraph(orbit);
  const executed: string[] = [];
  const model = new ScriptedChatModel(turns);
  const agent = createAgent({
    model,
    tools: toolsLogging(executed),
    middleware: [orbitLg.middleware()],
    checkpointer: new MemorySaver(),
  });
  return { orbit, orbitLg, sink, executed, agent, model };
}

const input = { messages: [{ role: 'user', content: 'go' }] };

describe('orbitMiddleware on createAgent', () => {
  it('runs a mixed batch: auto call runs at once, approved runs after resume, rejected is refused, no call left unanswered', async () => {
    const { agent, sink, executed } = await setUp([
      [
        { name: 'read', args: { id: 'r1', confidence: 0.99 }, id: 'c-auto' },
        { name: 'send', args: { id: 's1', confidence: 0.8 }, id: 'c-approve' },
        { name: 'update', args: { id: 'u1', confidence: 0.8 }, id: 'c-reject' },
      ],
    ]);
    const config = { configurable: { thread_id: 'mixed-1' } };
    const first = await agent.invoke(input, config);
    // The auto-proceeding sibling did not wait for the human.
    expect(executed).toEqual(['read:r1']);
    const pending = pendingApprovals(first);
    expect(pending.map((p) => p.value.orbit.call_id).sort()).toEqual(['c-approve', 'c-reject']);
    const send = pending.find((p) => p.value.orbit.tool === 'send')!;
    expect(send.value.actionRequests).toEqual([
      expect.objectContaining({ name: 'send', args: { id: 's1' } }),
    ]);
    expect(send.value.reviewConfigs[0]!.allowedDecisions).toEqual(['approve', 'edit', 'reject']);
    expect(send.value.orbit).toMatchObject({ reversibility: 'irreversible', confidence: 0.8 });

    const second = await agent.invoke(
      resumeWith(first, (p) =>
        p.value.orbit.tool === 'send'
          ? { type: 'approve', approver: 'ana' }
          : { type: 'reject', message: 'wrong account' },
      ),
      config,
    );
    expect(executed).toEqual(['read:r1', 'send:s1']);
    expect(pendingApprovals(second)).toEqual([]);
    const messages = second.messages.map((m) => ({
      type: m.getType(),
      id: (m as { tool_call_id?: string }).tool_call_id,
      content: m.content,
    }));
    const toolIds = messages
      .filter((m) => m.type === 'tool')
      .map((m) => m.id)
      .sort();
    expect(toolIds).toEqual(['c-approve', 'c-auto', 'c-reject']);
    // A reject's message is what the model reads, as in LangChain's humanInTheLoopMiddleware.
    const rejected = messages.find((m) => m.id === 'c-reject')!;
    expect(rejected.content).toBe('wrong account');
    expect(second.messages.at(-1)!.content).toBe('done');
    // Decisions recorded once each, though the paused nodes ran twice.
    expect(decisionsOf(sink).map((d) => [d.call_id, d.decision])).toEqual([
      ['c-auto', 'proceed'],
      ['c-approve', 'pause'],
      ['c-reject', 'pause'],
    ]);
    const approvals = sink.events
      .filter((e) => e.event === 'approval')
      .map((e) => [e.call_id, e.approval, e.approver]);
    expect(approvals).toEqual(
      expect.arrayContaining([
        ['c-approve', 'requested', undefined],
        ['c-reject', 'requested', undefined],
        ['c-approve', 'approve', 'ana'],
        ['c-reject', 'deny', 'langgraph:resume'],
      ]),
    );
    expect(approvals).toHaveLength(4);
    // The thread stays usable.
    const state = await agent.graph.getState(config);
    expect(state.next).toEqual([]);
  });

  it('blocks with a structured refusal and halts with a typed error', async () => {
    const blocked = await setUp([[{ name: 'update', args: { id: 'u', confidence: 0.3 }, id: 'c1' }]]);
    // confidence below the floor at level 3 pauses; unknown tools halt
    const halted = await setUp([[{ name: 'merge', args: { id: 'm', confidence: 0.99 }, id: 'c1' }]]);
    const error = await halted.agent
      .invoke(input, { configurable: { thread_id: 'h' } })
      .catch((e: unknown) => e);
    expect(haltOf(error)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
    expect(halted.executed).toEqual([]);
    const r = await blocked.agent.invoke(input, { configurable: { thread_id: 'b' } });
    expect(pendingApprovals(r)[0]!.value.orbit.reasons).toContain('confidence_below_floor');
  });

  it('turns a throwing tool into an error message and an outcome event, not an aborted run', async () => {
    const { orbit, sink } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const explode = tool(
      async () => {
        throw new Error('tool exploded');
      },
      { name: 'explode', description: 'fails', schema: z.object({ id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'explode', args: { id: 'x', confidence: 0.99 }, id: 'c1' }]]),
      tools: [explode],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const result = await agent.invoke(input, { configurable: { thread_id: 'e' } });
    const message = result.messages.find((m) => m.getType() === 'tool')!;
    expect(String(message.content)).toContain('tool exploded');
    expect(result.messages.at(-1)!.content).toBe('done');
    const outcome = sink.events.find((e) => e.event === 'outcome')!;
    expect(outcome).toMatchObject({ status: 'error', call_id: 'c1' });
  });
});

describe('what the model sees', () => {
  it("adds ORBIT's confidence argument to every tool's schema the model binds", async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const model = new ScriptedChatModel([]);
    const read = tool(async () => 'ok', {
      name: 'read',
      description: 'read',
      schema: z.object({ id: z.string() }),
    });
    const agent = createAgent({
      model,
      tools: [read],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    await agent.invoke(input, { configurable: { thread_id: 'schema' } });
    const bound = model.bound as { name: string; schema: z.ZodObject }[];
    expect(bound.map((t) => t.name)).toEqual(['read']);
    expect(Object.keys(bound[0]!.schema.shape)).toEqual(['id', 'confidence']);
    // The tool itself is unchanged.
    expect(Object.keys((read.schema as z.ZodObject).shape)).toEqual(['id']);
  });
});

describe('every path through the framework', () => {
  it('guards calls made while streaming, exactly as with invoke', async () => {
    const { agent, sink, executed } = await setUp([
      [
        { name: 'read', args: { id: 'r1', confidence: 0.99 }, id: 'c1' },
        { name: 'merge', args: { id: 'm', confidence: 0.99 }, id: 'c2' },
      ],
    ]);
    const chunks: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of await agent.stream(input, {
        configurable: { thread_id: 'stream' },
        streamMode: 'updates',
      }))
        chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(haltOf(error)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
    expect(executed).toEqual(['read:r1']);
    expect(decisionsOf(sink).map((d) => d.decision)).toEqual(['proceed', 'halt']);
    expect(chunks.length).toBeGreaterThan(0);
  });

  it('with toolRetryMiddleware inside ORBIT, retries run under the one decision of the call', async () => {
    const { orbit, sink } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    let attempts = 0;
    const flaky = tool(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error('temporarily unavailable');
        return 'ok';
      },
      { name: 'read', description: 'flaky read', schema: z.object({ id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'read', args: { id: 'x', confidence: 0.99 }, id: 'c1' }]]),
      tools: [flaky],
      middleware: [orbitLg.middleware(), toolRetryMiddleware({ maxRetries: 3, initialDelayMs: 1 })],
      checkpointer: new MemorySaver(),
    });
    const result = await agent.invoke(input, { configurable: { thread_id: 'retry' } });
    expect(attempts).toBe(3);
    expect(result.messages.find((m) => m.getType() === 'tool')!.content).toBe('ok');
    expect(decisionsOf(sink)).toHaveLength(1);
    expect(sink.events.filter((e) => e.event === 'outcome').map((e) => e.status)).toEqual(['executed']);
  });
});
