// Regressions found in review: each test names the behaviour it guards.
import type { StructuredToolInterface } from '@langchain/core/tools';

import {
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { defineTool, TrustAuthority } from '@orbit-agents/core';
import { createAgent, type ToolRuntime, tool } from 'langchain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionsOf, orbitOf, type ScriptedCall, ScriptedChatModel } from '../test/support.js';
import { haltOf } from './index.js';
import { orbitLangGraph } from './orbit-langgraph.js';
import { pendingApprovals, resumeWith } from './resume.js';

const input = { messages: [{ role: 'user', content: 'go' }] };

function logging(executed: string[], names = ['read', 'draft', 'update', 'send']) {
  return names.map((name) =>
    tool(
      async ({ id }: { id: string }) => {
        executed.push(`${name}:${id}`);
        return `${name} ok ${id}`;
      },
      { name, description: name, schema: z.object({ id: z.string() }) },
    ),
  );
}

async function agentOf(
  turns: ScriptedCall[][],
  options: { version?: 'v1' | 'v2'; extraTools?: StructuredToolInterface[] } = {},
  orbitOptions = {},
) {
  const { orbit, sink } = await orbitOf({}, orbitOptions);
  const orbitLg = orbitLangGraph(orbit);
  const executed: string[] = [];
  const agent = createAgent({
    model: new ScriptedChatModel(turns),
    tools: [...logging(executed), ...(options.extraTools ?? [])],
    middleware: [orbitLg.middleware()],
    checkpointer: new MemorySaver(),
    ...(options.version ? { version: options.version } : {}),
  });
  return { agent, orbitLg, sink, executed };
}

const toolIds = (messages: { getType(): string }[]) =>
  messages
    .filter((m) => m.getType() === 'tool')
    .map((m) => (m as unknown as { tool_call_id: string }).tool_call_id)
    .sort();

describe('several calls in one LangGraph task (createAgent "v1")', () => {
  it('refuses answers that do not name their request, so a rejection never reaches another call', async () => {
    const { agent, executed, sink } = await agentOf(
      [
        [
          { name: 'send', args: { id: 'A', confidence: 0.5 }, id: 'cA' },
          { name: 'update', args: { id: 'B', confidence: 0.5 }, id: 'cB' },
        ],
      ],
      { version: 'v1' },
    );
    const config = { configurable: { thread_id: 'v1-plain' } };
    let result = await agent.invoke(input, config);
    // A LangChain HITL UI answers without the hash: approve send, reject update, keyed by interrupt id.
    for (let turn = 0; turn < 3 && pendingApprovals(result).length > 0; turn++) {
      const resume: Record<string, unknown> = {};
      for (const p of pendingApprovals(result)) {
        resume[p.id] = {
          decisions: [p.value.orbit.tool === 'send' ? { type: 'approve' } : { type: 'reject' }],
        };
      }
      result = await agent.invoke(new Command({ resume }), config);
    }
    expect(executed).toEqual([]);
    expect(pendingApprovals(result)[0]!.value.orbit.error).toMatch(/action_hash/);
    // Answers that name their request converge: send runs, update never does.
    for (let turn = 0; turn < 4 && pendingApprovals(result).length > 0; turn++) {
      result = await agent.invoke(
        resumeWith(result, (p) => (p.value.orbit.tool === 'send' ? { type: 'approve' } : { type: 'reject' })),
        config,
      );
    }
    expect(pendingApprovals(result)).toEqual([]);
    expect(executed).toEqual(['send:A']);
    expect(
      sink.events.filter((e) => e.event === 'approval' && e.call_id === 'cB').map((e) => e.approval),
    ).toEqual(['requested', 'deny']);
  });

  it('replays blocked and failed siblings as they were, without crashing the resume', async () => {
    const explode = tool(
      async () => {
        throw new Error('tool exploded');
      },
      { name: 'explode', description: 'fails', schema: z.object({ id: z.string() }) },
    );
    const { agent, executed } = await agentOf(
      [
        [
          { name: 'update', args: { id: 42, confidence: 0.99 }, id: 'c-bad' },
          { name: 'explode', args: { id: 'x', confidence: 0.99 }, id: 'c-err' },
          { name: 'send', args: { id: 'A', confidence: 0.5 }, id: 'c-send' },
        ],
      ],
      { version: 'v1', extraTools: [explode] },
    );
    const config = { configurable: { thread_id: 'v1-siblings' } };
    const first = await agent.invoke(input, config);
    const second = await agent.invoke(
      resumeWith(first, () => ({ type: 'approve' })),
      config,
    );
    expect(pendingApprovals(second)).toEqual([]);
    expect(executed).toEqual(['send:A']);
    expect(toolIds(second.messages)).toEqual(['c-bad', 'c-err', 'c-send']);
    const bad = second.messages.find(
      (m) => (m as unknown as { tool_call_id?: string }).tool_call_id === 'c-bad',
    )!;
    expect(JSON.parse(String(bad.content)).reasons).toContain('input_invalid');
  });

  it('the first decision of a call with invalid arguments is a block the model can read (middleware path)', async () => {
    const { agent, executed, sink } = await agentOf([
      [{ name: 'update', args: { id: 42, confidence: 0.99 }, id: 'c1' }],
    ]);
    const result = await agent.invoke(input, { configurable: { thread_id: 'bad-args' } });
    expect(executed).toEqual([]);
    expect(decisionsOf(sink)).toEqual([
      expect.objectContaining({ decision: 'block', reasons: ['input_invalid'] }),
    ]);
    // The field and what was expected, worded as the core's own validation words it.
    const decided = sink.events.find((e) => e.event === 'decision')!;
    expect(decided.detail).toMatch(/^input\.id: .*expected string/);
    const told = result.messages.find((m) => m.getType() === 'tool')!;
    expect(JSON.parse(String(told.content)).message).toContain('input.id');
    expect(result.messages.at(-1)!.content).toBe('done');
  });
});

describe('sub-agents', () => {
  async function supervisor(
    childTools: StructuredToolInterface[],
    childTurns: ScriptedCall[][],
    orbitOptions = {},
  ) {
    const { orbit, sink } = await orbitOf({}, orbitOptions);
    const orbitLg = orbitLangGraph(orbit);
    const child = createAgent({
      model: new ScriptedChatModel(childTurns),
      tools: childTools,
      middleware: [orbitLg.middleware()],
    });
    const research = orbitLg.subAgent(child, {
      profile: 'researcher',
      name: 'research',
      description: 'research',
      schema: z.object({ task: z.string() }),
      input: ({ task }) => ({ messages: [{ role: 'user', content: task }] }),
    });
    return { orbitLg, sink, child, research, orbit };
  }

  it('a nested invoke that replaces context still acts under the sub-agent run, never the root run', async () => {
    const executed: string[] = [];
    const { orbit } = await orbitOf();
    void orbit;
    const helperTools = logging(executed, ['update']);
    // The helper is invoked by a plain tool of the researcher, with a context of its own.
    let helper: ReturnType<typeof createAgent> | undefined;
    const askHelper = tool(
      async ({ task }: { task: string }) => {
        const out = await helper!.invoke(
          { messages: [{ role: 'user', content: task }] },
          { context: { userId: 'u1' } },
        );
        return String(out.messages.at(-1)!.content);
      },
      { name: 'read', description: 'asks a helper', schema: z.object({ task: z.string() }) },
    );
    const { orbitLg, sink, research } = await supervisor(
      [askHelper],
      [[{ name: 'read', args: { task: 'update it', confidence: 0.99 }, id: 'k-read' }]],
    );
    helper = createAgent({
      model: new ScriptedChatModel([
        [{ name: 'update', args: { id: 'U', confidence: 0.99 }, id: 'h-update' }],
      ]),
      tools: helperTools,
      middleware: [orbitLg.middleware()],
    });
    const parent = createAgent({
      model: new ScriptedChatModel([[{ name: 'research', args: { task: 't' }, id: 'p1' }]]),
      tools: [research],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    await parent.invoke(input, { configurable: { thread_id: 'nested' } });
    expect(executed).toEqual([]);
    const update = sink.events.find((e) => e.event === 'decision' && e.tool === 'update')!;
    expect(update).toMatchObject({ agent_id: 'researcher', decision: 'halt' });
  });

  it("a person's stop_run inside a sub-agent stops the whole run", async () => {
    const executed: string[] = [];
    const { orbitLg, research } = await supervisor(logging(executed, ['read', 'send']), [
      [{ name: 'send', args: { id: 'S', confidence: 0.5 }, id: 'k-send' }],
    ]);
    const parent = createAgent({
      model: new ScriptedChatModel([
        [{ name: 'research', args: { task: 't' }, id: 'p1' }],
        [{ name: 'draft', args: { id: 'after-stop', confidence: 0.99 }, id: 'p2' }],
      ]),
      tools: [research, ...logging(executed, ['draft'])],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'stop-in-child' } };
    const first = await parent.invoke(input, config);
    const error = await parent
      .invoke(
        resumeWith(first, () => ({ type: 'reject', stop_run: true, message: 'stop everything' })),
        config,
      )
      .catch((e: unknown) => e);
    expect(haltOf(error)?.decision.reasons).toContain('approval_denied');
    expect(orbitLg.runOf(config).halted).toBe(true);
    expect(executed).toEqual([]);
  });

  it('keeps every minted token out of checkpoints, interrupts, audit events and spans', async () => {
    const tokens: string[] = [];
    const authority = await TrustAuthority.ephemeral();
    const mint = authority.mint.bind(authority);
    authority.mint = async (claims) => {
      const minted = await mint(claims);
      tokens.push(minted.token);
      return minted;
    };
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer(
      't',
    );
    const executed: string[] = [];
    const { orbitLg, research, sink } = await supervisor(
      logging(executed, ['read', 'send']),
      [[{ name: 'send', args: { id: 'S', confidence: 0.5 }, id: 'k-send' }]],
      { trust: authority, telemetry: { tracer } },
    );
    const checkpointer = new MemorySaver();
    const parent = createAgent({
      model: new ScriptedChatModel([[{ name: 'research', args: { task: 't' }, id: 'p1' }]]),
      tools: [research],
      middleware: [orbitLg.middleware()],
      checkpointer,
    });
    const config = { configurable: { thread_id: 'tokens' } };
    const first = await parent.invoke(input, config);
    await parent.invoke(
      resumeWith(first, () => ({ type: 'approve' })),
      config,
    );
    await orbitLg.endRun(config);
    expect(tokens).toHaveLength(1);
    const saved: unknown[] = [];
    for await (const tuple of checkpointer.list({ configurable: { thread_id: 'tokens' } })) saved.push(tuple);
    const everything = [
      JSON.stringify(saved),
      JSON.stringify(first),
      JSON.stringify(sink.events),
      JSON.stringify(exporter.getFinishedSpans().map((span) => [span.attributes, span.events])),
    ].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const token of tokens) {
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.split('.')[2]!);
    }
  });
});

describe('arguments and answers', () => {
  it("a LangChain tool parses the model's arguments itself, once (transforms apply once)", async () => {
    const seen: unknown[] = [];
    const shout = tool(
      async ({ id }: { id: string }) => {
        seen.push(id);
        return id;
      },
      {
        name: 'read',
        description: 'shouts',
        schema: z.object({ id: z.string().transform((s) => `${s.toUpperCase()}!`) }),
      },
    );
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'read', args: { id: 'abc', confidence: 0.99 }, id: 'c1' }]]),
      tools: [shout],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    await agent.invoke(input, { configurable: { thread_id: 'transform' } });
    expect(seen).toEqual(['ABC!']);
  });

  it('an answer after the approval timeout is a timeout: the call does not run', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const { agent, executed } = await agentOf(
      [[{ name: 'send', args: { id: 'late', confidence: 0.5 }, id: 'c1' }]],
      {},
      { now: () => now, approvalTimeoutMs: 60_000 },
    );
    const config = { configurable: { thread_id: 'late' } };
    const first = await agent.invoke(input, config);
    now += 2 * 24 * 3_600_000;
    const second = await agent.invoke(
      resumeWith(first, () => ({ type: 'approve' })),
      config,
    );
    expect(executed).toEqual([]);
    const message = second.messages.find((m) => m.getType() === 'tool')!;
    expect(JSON.parse(String(message.content)).reasons).toContain('approval_timeout');
  });

  it('a halt inside a tool (a guarded call it makes) ends the invoke', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const [merge] = orbitLg.guardTools([
      tool(async () => 'merged', { name: 'merge', description: 'merge', schema: z.object({}) }),
    ]);
    const wrapper = tool(
      async (_args: { id: string }, runtime: ToolRuntime) =>
        merge!.invoke({ name: 'merge', args: { confidence: 0.99 }, id: 'inner', type: 'tool_call' }, runtime),
      { name: 'read', description: 'reads, then merges', schema: z.object({ id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'read', args: { id: 'x', confidence: 0.99 }, id: 'c1' }]]),
      tools: [wrapper],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const error = await agent
      .invoke(input, { configurable: { thread_id: 'inner-halt' } })
      .catch((e: unknown) => e);
    expect(haltOf(error)?.decision.reasons).toEqual(['tool_explicitly_blocked']);
  });

  it('ORBIT tool definitions emit LangChain callbacks (streamEvents sees them)', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const read = orbitLg.tool(
      defineTool({ name: 'read', input: z.object({ id: z.string() }), execute: ({ id }) => `ok ${id}` }),
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'read', args: { id: 'x', confidence: 0.99 }, id: 'c1' }]]),
      tools: [read],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const events: string[] = [];
    for await (const event of agent.streamEvents(input, {
      configurable: { thread_id: 'events' },
      version: 'v2',
    })) {
      if (event.event.startsWith('on_tool')) events.push(`${event.event}:${event.name}`);
    }
    expect(events).toEqual(['on_tool_start:read', 'on_tool_end:read']);
  });
});

describe('second review', () => {
  it('the tool runs with the answer that won (one stored first elsewhere), not the resume value', async () => {
    const { orbit, sink } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const seen: string[] = [];
    const send = tool(
      async ({ id }: { id: string }) => {
        seen.push(id);
        return `sent ${id}`;
      },
      { name: 'send', description: 'send', schema: z.object({ id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'send', args: { id: 'ORIGINAL', confidence: 0.5 }, id: 'c1' }]]),
      tools: [send],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'winner' } };
    const first = await agent.invoke(input, config);
    const [pending] = pendingApprovals(first);
    // Another channel (an approvals service) answers first, with an edit.
    await orbitLg.runOf(config).resolveApproval(
      pending!.value.orbit.approval_id,
      {
        type: 'edit',
        action_hash: pending!.value.orbit.action_hash,
        approver: 'service',
        args: { id: 'E1-first' },
      },
      { input: z.object({ id: z.string() }) },
    );
    await agent.invoke(
      resumeWith(first, () => ({ type: 'edit', editedAction: { name: 'send', args: { id: 'E2-second' } } })),
      config,
    );
    expect(seen).toEqual(['E1-first']);
    expect(sink.events.filter((e) => e.event === 'approval' && e.approval === 'edit')).toHaveLength(1);
  });

  it('after an edit, a tool that interrupts itself resumes with the edited arguments and its own answer', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const seen: unknown[] = [];
    const send = tool(
      async ({ id }: { id: string }) => {
        const confirm = interrupt({ confirm: id });
        seen.push({ id, confirm });
        return `sent ${id}`;
      },
      { name: 'send', description: 'send', schema: z.object({ id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'send', args: { id: 'ORIGINAL', confidence: 0.5 }, id: 'c1' }]]),
      tools: [send],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'edit-then-interrupt' } };
    const first = await agent.invoke(input, config);
    const second = await agent.invoke(
      resumeWith(first, () => ({ type: 'edit', editedAction: { name: 'send', args: { id: 'EDITED' } } })),
      config,
    );
    const own = (second as { __interrupt__?: { id: string; value: unknown }[] }).__interrupt__!;
    expect(own.map((i) => i.value)).toEqual([{ confirm: 'EDITED' }]);
    await agent.invoke(new Command({ resume: { [own[0]!.id]: 'yes' } }), config);
    expect(seen).toEqual([{ id: 'EDITED', confirm: 'yes' }]);
  });

  it("a person's stop_run inside a sub-graph node stops the whole run", async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const childModel = new ScriptedChatModel([
      [{ name: 'send', args: { id: 'S', confidence: 0.5 }, id: 'k1' }],
    ]);
    const child = new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state) => ({ messages: [await childModel.invoke(state.messages)] }))
      .addNode('tools', orbitLg.toolNode(logging(executed)))
      .addEdge(START, 'agent')
      .addConditionalEdges('agent', orbitLg.routeToolCalls('tools'), ['tools', END])
      .addEdge('tools', 'agent')
      .compile();
    const parent = new StateGraph(MessagesAnnotation)
      .addNode('worker', orbitLg.subGraph(child, { profile: 'researcher', agentId: 'worker' }))
      .addEdge(START, 'worker')
      .addEdge('worker', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: 'stop-in-subgraph' } };
    const first = await parent.invoke(input, config);
    const error = await parent
      .invoke(
        resumeWith(first, () => ({ type: 'reject', stop_run: true })),
        config,
      )
      .catch((e: unknown) => e);
    expect(haltOf(error)?.decision.reasons).toContain('approval_denied');
    expect(orbitLg.runOf(config).halted).toBe(true);
    expect(executed).toEqual([]);
  });

  it('a delegation that failed (the trust authority unreachable) is tried again, not kept', async () => {
    const authority = await TrustAuthority.ephemeral();
    const mint = authority.mint.bind(authority);
    let failures = 1;
    authority.mint = async (claims) => {
      if (failures-- > 0) throw new Error('key service unreachable');
      return mint(claims);
    };
    const { orbit } = await orbitOf({}, { trust: authority });
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const child = createAgent({
      model: new ScriptedChatModel([[{ name: 'read', args: { id: 'r', confidence: 0.99 }, id: 'k1' }]]),
      tools: logging(executed, ['read']),
      middleware: [orbitLg.middleware()],
    });
    const research = orbitLg.subAgent(child, {
      profile: 'researcher',
      name: 'research',
      description: 'research',
      schema: z.object({ task: z.string() }),
      input: ({ task }) => ({ messages: [{ role: 'user', content: task }] }),
    });
    const config = { configurable: { thread_id: 'retry-delegation' } };
    const call = { name: 'research', args: { task: 't' }, id: 'p1', type: 'tool_call' as const };
    // The same call presented twice (a node retry): the first delegation failed, the second mints.
    await expect(research.invoke(call, config)).rejects.toThrow(/unreachable/);
    const message = await research.invoke(call, config);
    expect(String(message.content)).toBe('done');
    expect(executed).toEqual(['read:r']);
  });
});

describe('a tool that makes guarded calls itself, in its own task (createAgent "v2")', () => {
  it('its inner answers must name their request, and an inner call that ran answers a re-run with its result', async () => {
    const { orbit } = await orbitOf();
    const orbitLg = orbitLangGraph(orbit);
    const executed: string[] = [];
    const [draft, send] = orbitLg.guardTools(logging(executed, ['draft', 'send']));
    const results: unknown[] = [];
    const workflow = tool(
      async (_args: { id: string }, runtime: ToolRuntime) => {
        const drafted = await draft!.invoke(
          { name: 'draft', args: { id: 'D', confidence: 0.99 }, id: 'i-draft', type: 'tool_call' },
          runtime,
        );
        results.push(drafted.content);
        const sent = await send!.invoke(
          { name: 'send', args: { id: 'S', confidence: 0.5 }, id: 'i-send', type: 'tool_call' },
          runtime,
        );
        return `${drafted.content}; ${sent.content}`;
      },
      { name: 'read', description: 'a workflow', schema: z.object({ id: z.string() }) },
    );
    const agent = createAgent({
      model: new ScriptedChatModel([[{ name: 'read', args: { id: 'w', confidence: 0.99 }, id: 'c1' }]]),
      tools: [workflow],
      middleware: [orbitLg.middleware()],
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'inner-calls' } };
    const first = await agent.invoke(input, config);
    const [pending] = pendingApprovals(first);
    const bare = await agent.invoke(
      new Command({ resume: { [pending!.id]: { decisions: [{ type: 'approve' }] } } }),
      config,
    );
    expect(pendingApprovals(bare)[0]!.value.orbit.error).toMatch(/action_hash/);
    const done = await agent.invoke(
      resumeWith(bare, () => ({ type: 'approve' })),
      config,
    );
    expect(pendingApprovals(done)).toEqual([]);
    expect(executed).toEqual(['draft:D', 'send:S']);
    expect(new Set(results)).toEqual(new Set(['draft ok D']));
  });
});
