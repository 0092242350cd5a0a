import { MemorySaver } from '@langchain/langgraph';
import { createAgent, type ToolRuntime, tool } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionsOf, orbitOf, ScriptedChatModel } from '../test/support.js';
import { orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

const input = { messages: [{ role: 'user', content: 'go' }] };

async function setUp() {
  const { orbit, sink } = await orbitOf();
  const orbitLg = orbitLangGraph(orbit);
  const executed: string[] = [];
  const contexts: unknown[] = [];
  const make = (name: string) =>
    tool(
      async ({ id }: { id: string }, runtime: ToolRuntime<unknown, Record<string, unknown>>) => {
        executed.push(`${name}:${id}`);
        contexts.push(runtime.context);
        return `${name} ok ${id}`;
      },
      { name, description: name, schema: z.object({ id: z.string() }) },
    );
  const childModel = new ScriptedChatModel(
    [
      [
        { name: 'read', args: { id: 'r1', confidence: 0.99 }, id: 'k-read' },
        { name: 'send', args: { id: 's1', confidence: 0.8 }, id: 'k-send' },
      ],
      [{ name: 'update', args: { id: 'u1', confidence: 0.99 }, id: 'k-update' }],
    ],
    'child finished',
  );
  const child = createAgent({
    name: 'researcher',
    model: childModel,
    tools: ['read', 'send', 'update'].map(make),
    middleware: [orbitLg.middleware()],
  });
  const research = orbitLg.subAgent(child, {
    profile: 'researcher',
    name: 'research',
    description: 'delegate research',
    schema: z.object({ task: z.string() }),
    input: ({ task }) => ({ messages: [{ role: 'user', content: task }] }),
  });
  const parent = createAgent({
    model: new ScriptedChatModel(
      [[{ name: 'research', args: { task: 'find x' }, id: 'p-research' }]],
      'parent finished',
    ),
    tools: [research],
    middleware: [orbitLg.middleware()],
    checkpointer: new MemorySaver(),
  });
  return { orbit, orbitLg, sink, executed, contexts, parent, childModel };
}

describe('delegation: an agent used as a tool', () => {
  it('runs the sub-agent under a scoped token, surfaces its interrupt at the top and resumes it once', async () => {
    const { parent, sink, executed, contexts, orbitLg, childModel } = await setUp();
    const config = { configurable: { thread_id: 'sup-1' }, context: { secret: 'parent-only' } };
    const first = await parent.invoke(input, config);
    expect(executed).toEqual(['read:r1']);
    const [pending, ...rest] = pendingApprovals(first);
    expect(rest).toEqual([]);
    expect(pending!.value.orbit).toMatchObject({ tool: 'send', agent_id: 'researcher', depth: 1 });
    // The sub-agent never sees its parent's context, only the reference to its own run.
    expect(contexts[0]).toEqual({ orbit_run: pending!.value.orbit.run_id });
    const root = orbitLg.runOf(config);
    expect(pending!.value.orbit.run_id).not.toBe(root.id);

    // Resume without passing context again: the run and the sub-agent's token survive in ORBIT.
    const second = await parent.invoke(
      resumeWith(first, () => ({ type: 'approve', approver: 'ana' })),
      {
        configurable: { thread_id: 'sup-1' },
      },
    );
    expect(pendingApprovals(second)).toEqual([]);
    // The read ran once; send once after approval; update is outside the researcher's token: refused.
    expect(executed).toEqual(['read:r1', 'send:s1']);
    expect(second.messages.at(-1)!.content).toBe('parent finished');
    // The child model was not asked again for the turn it had already answered.
    expect(childModel.calls).toBe(2);
    const told = second.messages.find((m) => m.getType() === 'tool')!;
    expect(JSON.parse(String(told.content))).toMatchObject({ refused: true, decision: 'halt' });

    const decisions = decisionsOf(sink);
    expect(decisions.map((d) => [d.tool, d.decision])).toEqual([
      ['spawn_sub_agent', 'proceed'],
      ['read', 'proceed'],
      ['send', 'pause'],
      ['update', 'halt'],
    ]);
    const minted = sink.events.filter((e) => e.event === 'token' && e.token === 'minted');
    expect(minted).toHaveLength(1);
    const childEvents = sink.events.filter((e) => e.event === 'decision' && e.tool !== 'spawn_sub_agent');
    expect(new Set(childEvents.map((e) => e.run_id))).toEqual(new Set([pending!.value.orbit.run_id]));
  });
});

describe('the binding keeps what it must, and no more', () => {
  it('forgets a thread and its sub-agents when the run ends', async () => {
    const { parent, orbitLg } = await setUp();
    const config = { configurable: { thread_id: 'forget' } };
    const first = await parent.invoke(input, config);
    const childRunId = pendingApprovals(first)[0]!.value.orbit.run_id;
    const root = orbitLg.runOf(config);
    await orbitLg.endRun(config);
    expect(() => orbitLg.runOf({ context: { orbit_run: childRunId } })).toThrow(/did not delegate/);
    // The thread starts a new run object (taken up again, as after a restart).
    expect(orbitLg.runOf(config)).not.toBe(root);
  });
});
