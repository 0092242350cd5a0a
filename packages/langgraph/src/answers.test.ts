import { AIMessage } from '@langchain/core/messages';
import { Command, MemorySaver } from '@langchain/langgraph';
import { createAgent, tool } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionsOf, orbitOf, type ScriptedCall, ScriptedChatModel } from '../test/support.js';
import { orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

const input = { messages: [{ role: 'user', content: 'go' }] };

async function setUp(
  turns: ScriptedCall[][],
  options: { usage?: { input_tokens: number; output_tokens: number } } = {},
  manifest = {},
) {
  const { orbit, sink } = await orbitOf(manifest);
  const orbitLg = orbitLangGraph(orbit);
  const executed: string[] = [];
  const make = (name: string) =>
    tool(
      async ({ id }: { id: string }) => {
        executed.push(`${name}:${id}`);
        return `${name} ok ${id}`;
      },
      { name, description: name, schema: z.object({ id: z.string() }) },
    );
  const agent = createAgent({
    model: new ScriptedChatModel(turns, 'done', options.usage),
    tools: ['read', 'draft', 'update', 'send'].map(make),
    middleware: [orbitLg.middleware()],
    checkpointer: new MemorySaver(),
  });
  return { orbit, orbitLg, sink, executed, agent };
}

describe('answers to a paused call', () => {
  it('re-validates and re-gates an edit: the edited arguments run', async () => {
    const { agent, executed, sink } = await setUp([
      [{ name: 'send', args: { id: 'wrong', confidence: 0.5 }, id: 'c1' }],
    ]);
    const config = { configurable: { thread_id: 'edit' } };
    const first = await agent.invoke(input, config);
    await agent.invoke(
      resumeWith(first, () => ({
        type: 'edit',
        editedAction: { name: 'send', args: { id: 'right' } },
        approver: 'ana',
      })),
      config,
    );
    expect(executed).toEqual(['send:right']);
    const outcome = sink.events.find((e) => e.event === 'outcome')!;
    expect(outcome).toMatchObject({ call_id: 'c1', status: 'executed' });
    expect(sink.events.find((e) => e.event === 'approval' && e.approval === 'edit')).toMatchObject({
      input: { id: 'right' },
    });
  });

  it('blocks an edit whose arguments fail the schema (input_invalid); the tool does not run', async () => {
    const { agent, executed } = await setUp([
      [{ name: 'send', args: { id: 'x', confidence: 0.5 }, id: 'c1' }],
    ]);
    const config = { configurable: { thread_id: 'edit-bad' } };
    const first = await agent.invoke(input, config);
    const second = await agent.invoke(
      resumeWith(first, () => ({ type: 'edit', editedAction: { name: 'send', args: { id: 42 } } })),
      config,
    );
    expect(executed).toEqual([]);
    const message = second.messages.find((m) => m.getType() === 'tool')!;
    expect(JSON.parse(String(message.content)).reasons).toContain('input_invalid');
  });

  it('refuses an answer bound to other arguments and keeps the request pending', async () => {
    const { agent, executed, sink } = await setUp([
      [{ name: 'send', args: { id: 'x', confidence: 0.5 }, id: 'c1' }],
    ]);
    const config = { configurable: { thread_id: 'hash' } };
    const first = await agent.invoke(input, config);
    const wrong = await agent.invoke(
      resumeWith(first, () => ({ type: 'approve', action_hash: 'sha256:other' })),
      config,
    );
    expect(executed).toEqual([]);
    const [again] = pendingApprovals(wrong);
    expect(again!.value.orbit.error).toMatch(/bound to other arguments/);
    expect(again!.value.orbit.approval_id).toBe(pendingApprovals(first)[0]!.value.orbit.approval_id);
    const right = await agent.invoke(
      resumeWith(wrong, (p) => ({ type: 'approve', action_hash: p.value.orbit.action_hash })),
      config,
    );
    expect(pendingApprovals(right)).toEqual([]);
    expect(executed).toEqual(['send:x']);
    expect(decisionsOf(sink)).toHaveLength(1);
  });

  it('asks again when the resume value is malformed, naming what was expected', async () => {
    const { agent, executed } = await setUp([
      [{ name: 'send', args: { id: 'x', confidence: 0.5 }, id: 'c1' }],
    ]);
    const config = { configurable: { thread_id: 'bad' } };
    const first = await agent.invoke(input, config);
    const id = pendingApprovals(first)[0]!.id;
    const bad = await agent.invoke(new Command({ resume: { [id]: { approved: true } } }), config);
    expect(pendingApprovals(bad)[0]!.value.orbit.error).toMatch(/decisions/);
    const renamed = await agent.invoke(
      resumeWith(bad, () => ({ type: 'edit', editedAction: { name: 'read', args: { id: 'x' } } })),
      config,
    );
    expect(pendingApprovals(renamed)[0]!.value.orbit.error).toMatch(/editedAction.name/);
    expect(executed).toEqual([]);
  });

  it('a rejection with stop_run halts the run', async () => {
    const { agent, executed, orbitLg } = await setUp([
      [{ name: 'send', args: { id: 'x', confidence: 0.5 }, id: 'c1' }],
    ]);
    const config = { configurable: { thread_id: 'stop' } };
    const first = await agent.invoke(input, config);
    const error = await agent
      .invoke(
        resumeWith(first, () => ({ type: 'reject', stop_run: true, message: 'stop everything' })),
        config,
      )
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/halt/i);
    expect(orbitLg.runOf(config).halted).toBe(true);
    expect(executed).toEqual([]);
  });
});

describe('token usage', () => {
  it("feeds the model's usage_metadata into the run's token budget", async () => {
    const { agent, executed, orbitLg } = await setUp(
      [
        [{ name: 'read', args: { id: 'a', confidence: 0.99 }, id: 'c1' }],
        [{ name: 'draft', args: { id: 'b', confidence: 0.99 }, id: 'c2' }],
      ],
      { usage: { input_tokens: 30_000, output_tokens: 15_000 } },
    );
    const config = { configurable: { thread_id: 'usage' } };
    const result = await agent.invoke(input, config);
    // 45k tokens after the first model call (the read proceeds), 90k after the second: over 80k, the write pauses.
    expect(executed).toEqual(['read:a']);
    expect(pendingApprovals(result)[0]!.value.orbit.reasons).toContain('token_budget_exceeded');
    expect(orbitLg.runOf(config).ledger.tokens).toBe(90_000);
  });
});

describe('recordUsage in a hand-built graph', () => {
  it('counts a message once, however often a node re-runs with it', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const config = { configurable: { thread_id: 'usage-once' } };
    const message = new AIMessage({
      content: 'x',
      id: 'm1',
      usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    });
    orbitLg.recordUsage(message, config);
    orbitLg.recordUsage(message, config);
    orbitLg.recordUsage(
      new AIMessage({
        content: 'y',
        id: 'm2',
        usage_metadata: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      }),
      config,
    );
    expect(orbitLg.runOf(config).ledger.tokens).toBe(17);
  });
});
