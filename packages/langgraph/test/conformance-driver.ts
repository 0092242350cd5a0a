// The LangGraph driver of the core's adapter conformance suite: `createAgent` agents with ORBIT's
// middleware and `orbitLg.tool()` tools, a `MemorySaver` per driver, the scripted model of support.ts.
// Public API of @orbit-agents/langgraph only (its entry point), so that it holds across refactors.
import type { BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Command, MemorySaver } from '@langchain/langgraph';
import { createAgent } from 'langchain';
import { z } from 'zod';
import type {
  AdapterDriver,
  AgentSession,
  AgentSpec,
  DriverAnswer,
  Outcome,
  PendingView,
  ToolResultView,
} from '../../core/test/adapter-conformance.js';
import { boundHash, scriptOf } from '../../core/test/adapter-conformance-support.js';
import {
  haltOf,
  type OrbitHITLDecision,
  orbitLangGraph,
  type PendingApproval,
  pendingApprovals,
} from '../src/index.js';
import { ScriptedChatModel } from './support.js';

const input = { messages: [{ role: 'user', content: 'go' }] };

/** The LangGraph driver: one `MemorySaver` shared by every agent it makes (a durable checkpointer's stand-in). */
export function langGraphDriver(): AdapterDriver {
  const checkpointer = new MemorySaver();
  return {
    name: 'LangGraph (createAgent)',
    skip: {
      // README, "Limits": resumed from an older checkpoint, LangGraph re-runs every task of that step;
      // a new process finds approved calls and writes in the store, but not read-only calls, so the
      // auto `read` that ran before the restart is decided (a second decision event) and run again.
      'restart-replay':
        'a replay from the paused checkpoint after a restart re-decides and re-runs read-only calls (documented limit: the store keeps no read-only calls)',
    },
    agent: (spec) => session(spec, checkpointer),
  };
}

/** A `createAgent` agent (and its sub-agent) on the spec's orbit, driven on one thread. */
function session(spec: AgentSpec, checkpointer: MemorySaver): AgentSession {
  const orbitLg = orbitLangGraph(
    spec.orbit,
    spec.replayCache === undefined ? {} : { replayCache: spec.replayCache },
  );
  const usage = spec.usage === undefined ? undefined : { input_tokens: spec.usage, output_tokens: 0 };
  const tools = spec.tools.map((definition) => orbitLg.tool(definition));
  if (spec.subAgent) {
    const sub = spec.subAgent;
    const child = createAgent({
      model: new ScriptedChatModel(scriptOf(sub.turns), 'sub-agent done'),
      tools: sub.tools.map((definition) => orbitLg.tool(definition)),
      middleware: [orbitLg.middleware()],
    });
    tools.push(
      orbitLg.subAgent(child, {
        profile: sub.profile,
        name: sub.name,
        description: sub.description,
        schema: z.object({ task: z.string() }),
        input: ({ task }) => ({ messages: [{ role: 'user', content: task }] }),
      }),
    );
  }
  const agent = createAgent({
    model: new ScriptedChatModel(scriptOf(spec.turns), 'done', usage),
    tools,
    middleware: [orbitLg.middleware()],
    checkpointer,
    // "v1" runs all calls of a model message in one node (one task); "v2" (default) one task each.
    ...(spec.sharedStep ? { version: 'v1' as const } : {}),
  });
  const config = { configurable: { thread_id: spec.threadId } };
  /** The last paused outcome: its interrupts, and the checkpoint they were raised in. */
  let paused: { pending: PendingApproval[]; at: RunnableConfig } | undefined;

  async function run(value: unknown, at: RunnableConfig): Promise<Outcome> {
    let result: { messages: BaseMessage[] };
    try {
      result = await agent.invoke(value as never, at);
    } catch (error) {
      const halt = haltOf(error);
      if (!halt) throw error;
      return { status: 'halted', reasons: [...halt.decision.reasons] };
    }
    const pending = pendingApprovals(result);
    if (pending.length > 0) {
      paused = { pending, at: (await agent.graph.getState(config)).config };
      return { status: 'paused', pending: pending.map(view) };
    }
    return { status: 'done', results: resultsOf(result.messages) };
  }

  return {
    invoke: () => run(input, config),
    async resume(answer) {
      if (!paused) {
        // A restarted process: the pending interrupts are read from the thread's checkpoint.
        const state = await agent.graph.getState(config);
        paused = {
          pending: pendingApprovals({ __interrupt__: state.tasks.flatMap((t) => t.interrupts) }),
          at: state.config,
        };
      }
      const resume: Record<string, unknown> = {};
      for (const p of paused.pending) resume[p.id] = toResume(answer(view(p)), p);
      // Resumed from the checkpoint the interrupts were raised in: again, it re-runs that step (a replay).
      return run(new Command({ resume }), paused.at);
    },
    run: () => orbitLg.runOf(config),
    replayCacheSize: () => orbitLg.registry.stats(orbitLg.runOf(config)).results,
    async persisted() {
      const saved: unknown[] = [];
      for await (const tuple of checkpointer.list(config)) saved.push(tuple);
      return JSON.stringify(saved);
    },
  };
}

/** An ORBIT interrupt as the suite's neutral view. */
function view({ value }: PendingApproval): PendingView {
  const { orbit } = value;
  return {
    approvalId: orbit.approval_id,
    actionHash: orbit.action_hash,
    callId: orbit.call_id,
    tool: orbit.tool,
    args: value.actionRequests[0]?.args,
    depth: orbit.depth,
    ...(orbit.error === undefined ? {} : { error: orbit.error }),
  };
}

/** A neutral answer as LangChain's `HITLResponse`. */
function toResume(answer: DriverAnswer, pending: PendingApproval): unknown {
  if (answer.type === 'raw') return answer.value;
  const hash = boundHash(answer, pending.value.orbit.action_hash);
  const bound = hash === undefined ? {} : { action_hash: hash };
  let decision: OrbitHITLDecision;
  if (answer.type === 'edit') {
    decision = {
      type: 'edit',
      editedAction: { name: pending.value.orbit.tool, args: answer.args },
      ...bound,
    };
  } else if (answer.type === 'approve') {
    decision = { type: 'approve', ...bound };
  } else {
    decision = { type: 'reject', ...bound, ...(answer.stopRun ? { stop_run: true } : {}) };
  }
  return { decisions: [decision] };
}

/** The tool results of the conversation, in the order of the model's calls. */
function resultsOf(messages: BaseMessage[]): ToolResultView[] {
  const byCall = new Map<string, BaseMessage & { tool_call_id?: string; status?: string; name?: string }>();
  for (const message of messages) {
    const id = (message as { tool_call_id?: string }).tool_call_id;
    if (message.getType() === 'tool' && id !== undefined) byCall.set(id, message);
  }
  const results: ToolResultView[] = [];
  for (const message of messages) {
    for (const call of (message as { tool_calls?: { id?: string; name: string }[] }).tool_calls ?? []) {
      const result = call.id === undefined ? undefined : byCall.get(call.id);
      if (!result) continue;
      results.push({
        callId: call.id!,
        tool: call.name,
        content: typeof result.content === 'string' ? result.content : JSON.stringify(result.content),
        isError: result.status === 'error',
      });
    }
  }
  return results;
}
