// The OpenAI Agents driver of the core's adapter conformance suite: `run()` on an agent guarded with
// `orbitAgents.agent()`, ORBIT tools from `orbitAgents.tool()`, a sub-agent behind
// `orbitAgents.subAgent()` (the SDK's agent-as-tool), the scripted model of scripted-model.ts. The
// paused `RunState` is saved as a string per thread, as an application would, and every resume
// restores it: a resume delivered twice restores the same paused state twice. Public API only.

import { Agent, RunState, run } from '@openai/agents';
import { ApprovalError } from '@orbit-agents/core';
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
import { boundHash, pendingView, scriptOf } from '../../core/test/adapter-conformance-support.js';
import {
  haltOf,
  type OrbitAnswer,
  orbitContext,
  orbitOpenAIAgents,
  type PendingApproval,
} from '../src/index.js';
import type { AnyRunResult, AnyRunState } from '../src/sdk-types.js';
import { ScriptedAgentsModel } from './scripted-model.js';

/** The OpenAI Agents driver: one store of saved run states shared by every agent it makes. */
export function openAIAgentsDriver(): AdapterDriver {
  const saved = new Map<string, Saved>();
  return {
    name: 'OpenAI Agents SDK (run, RunState)',
    skip: {
      // README, "Limits": every SDK interruption names its call (callId), and orbitAgents.answer() takes
      // the interruption itself, so an answer found by its position in a step cannot exist.
      'shared-step':
        'every OpenAI Agents interruption names its call (rawItem.callId) and an answer is given for that interruption, so no answer is matched by position (documented: answers cannot reach another call)',
    },
    agent: (spec) => session(spec, saved),
  };
}

/** What the application keeps per thread: the last paused state, and every state it saved. */
interface Saved {
  paused: string | undefined;
  all: string[];
}

function session(spec: AgentSpec, saved: Map<string, Saved>): AgentSession {
  const orbitAgents = orbitOpenAIAgents(
    spec.orbit,
    spec.replayCache === undefined ? {} : { replayCache: spec.replayCache },
  );
  const tools = spec.tools.map((definition) => orbitAgents.tool(definition));
  if (spec.subAgent) {
    const sub = spec.subAgent;
    const child = new Agent({
      name: 'researcher',
      instructions: 'research',
      model: new ScriptedAgentsModel(scriptOf(sub.turns), 'sub-agent done'),
      tools: sub.tools.map((definition) => orbitAgents.tool(definition)),
    });
    tools.push(
      orbitAgents.subAgent(child, {
        profile: sub.profile,
        toolName: sub.name,
        toolDescription: sub.description,
        parameters: z.object({ task: z.string() }),
        inputBuilder: ({ params }: { params: unknown }) => (params as { task: string }).task,
      }),
    );
  }
  const model = new ScriptedAgentsModel(scriptOf(spec.turns), 'done', spec.usage ?? 0);
  const agent = orbitAgents.agent(new Agent({ name: 'agent', instructions: 'work', model, tools }));
  const { threadId } = spec;
  const store = () => {
    let kept = saved.get(threadId);
    if (!kept) {
      kept = { paused: undefined, all: [] };
      saved.set(threadId, kept);
    }
    return kept;
  };
  /** The paused state (as saved) and its pending approvals, when this session last paused. */
  let paused: { state: string; pending: PendingApproval[] } | undefined;

  async function call(input: string | AnyRunState): Promise<Outcome> {
    let result: AnyRunResult;
    try {
      result = await run(agent, input, typeof input === 'string' ? { context: orbitContext(threadId) } : {});
    } catch (error) {
      const halt = haltOf(error);
      if (halt) return { status: 'halted', reasons: [...halt.decision.reasons] };
      throw error;
    }
    const state = result.state.toString();
    store().all.push(state);
    if (result.interruptions.length > 0) {
      store().paused = state;
      const pending = await orbitAgents.pendingApprovals(result);
      paused = { state, pending };
      return { status: 'paused', pending: pending.map(view) };
    }
    return { status: 'done', results: resultsOf(model) };
  }

  return {
    invoke: () => call('go'),
    async resume(answer) {
      // The paused state as it was saved (a restarted process reads it from the application's store):
      // a resume delivered twice restores it twice.
      const at = paused ?? { state: store().paused!, pending: [] };
      const state = await RunState.fromString(agent, at.state);
      const restored = await orbitAgents.pendingApprovals(state);
      // As the person saw them when the run paused (a replayed request is answered already).
      const pending = restored.map((p) => ({
        ...p,
        orbit: p.orbit ?? at.pending.find((q) => q.orbit?.call_id === callIdOf(p))?.orbit,
      }));
      // Remembered as this session's pause: a second resume re-delivers to the same requests.
      paused ??= { state: at.state, pending };
      for (const p of pending) {
        try {
          await orbitAgents.answer(state, p, toAnswer(answer(view(p)), p));
        } catch (error) {
          // A refused answer: nothing is resumed, the requests stay pending.
          if (!ApprovalError.isInstance(error)) throw error;
          const message = (error as Error).message;
          return {
            status: 'paused',
            pending: pending.map((q) => ({ ...view(q), ...(q === p ? { error: message } : {}) })),
          };
        }
      }
      return call(state);
    },
    run: () => orbitAgents.runOf(threadId),
    replayCacheSize: () => orbitAgents.registry.stats(orbitAgents.runOf(threadId)).results,
    persisted: async () => store().all.join('\n'),
  };
}

function callIdOf(pending: PendingApproval): string | undefined {
  return (pending.item.rawItem as { callId?: string }).callId;
}

/** A pending approval as the suite's neutral view. */
const view = (pending: PendingApproval): PendingView => pendingView(pending.orbit!);

/** A neutral answer as ORBIT's answer to an interruption. */
function toAnswer(answer: DriverAnswer, pending: PendingApproval): OrbitAnswer {
  if (answer.type === 'raw') return answer.value as OrbitAnswer;
  const hash = boundHash(answer, pending.orbit!.action_hash);
  const bound = hash === undefined ? {} : { action_hash: hash };
  if (answer.type === 'edit') return { type: 'edit', args: answer.args, ...bound };
  if (answer.type === 'approve') return { type: 'approve', ...bound };
  return { type: 'deny', ...bound, ...(answer.stopRun ? { stop_run: true } : {}) };
}

/** The tool results the parent's model read in its last request, in the order of its calls. */
function resultsOf(model: ScriptedAgentsModel): ToolResultView[] {
  const outputs = model.lastOutputs();
  return model
    .lastCalls()
    .filter((call) => outputs.has(call.callId))
    .map((call) => {
      const content = outputs.get(call.callId)!;
      return { callId: call.callId, tool: call.name, content, isError: isError(content) };
    });
}

/** A refusal (ORBIT's structured JSON) or a tool's error (the SDK's wording). */
function isError(content: string): boolean {
  if (content.startsWith('An error occurred while running the tool')) return true;
  try {
    return (JSON.parse(content) as { refused?: unknown }).refused === true;
  } catch {
    return false;
  }
}
