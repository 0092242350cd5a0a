// The AI SDK driver of the core's adapter conformance suite: `generateText` with ORBIT's settings,
// `orbitAi.tool()` tools, a sub-agent made with `orbitAi.agent()` behind `orbitAi.subAgent()`, the
// scripted model of scripted-model.ts. The conversation (the messages a client keeps) is kept per
// thread by the driver, as a client or a chat store would. Public API of the package only.
import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import { ApprovalError } from '@orbit-agents/core';
import {
  generateText,
  InvalidPromptError,
  isStepCount,
  MissingToolResultsError,
  type ModelMessage,
  type ToolSet,
} from 'ai';
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
  approvalResponse,
  haltOf,
  type OrbitApprovalResponse,
  orbitVercelAi,
  type PendingApproval,
} from '../src/index.js';
import { type ScriptedModel, scriptedModel } from './scripted-model.js';

/** The AI SDK driver: one conversation store shared by every agent it makes (a client's stand-in). */
export function vercelAiDriver(): AdapterDriver {
  const conversations = new Map<string, ModelMessage[]>();
  return {
    name: 'Vercel AI SDK (generateText)',
    skip: {
      // README, "Limits": every SDK approval response names its request by approvalId, so an answer
      // found by its position in a step cannot exist; the refusal this case checks has nothing to refuse.
      'shared-step':
        'every AI SDK answer names its request (approvalId), so no answer is matched by position (documented: answers cannot reach another call)',
    },
    agent: (spec) => session(spec, conversations),
  };
}

function session(spec: AgentSpec, conversations: Map<string, ModelMessage[]>): AgentSession {
  const orbitAi = orbitVercelAi(
    spec.orbit,
    spec.replayCache === undefined ? {} : { replayCache: spec.replayCache },
  );
  const tools: ToolSet = Object.fromEntries(
    spec.tools.map((definition) => [definition.name, orbitAi.tool(definition)]),
  );
  if (spec.subAgent) {
    const sub = spec.subAgent;
    const child = orbitAi.agent({
      model: scriptedModel(scriptOf(sub.turns), 'sub-agent done', 0, 'sub-agent'),
      tools: Object.fromEntries(sub.tools.map((definition) => [definition.name, orbitAi.tool(definition)])),
      stopWhen: isStepCount(20),
    });
    tools[sub.name] = orbitAi.subAgent(child, { profile: sub.profile, description: sub.description });
  }
  const model: ScriptedModel = scriptedModel(scriptOf(spec.turns), 'done', spec.usage ?? 0);
  const { threadId } = spec;
  /** The conversation when it last paused: a resume answers its requests. */
  let paused: { messages: ModelMessage[]; pending: PendingApproval[] } | undefined;

  async function call(messages: ModelMessage[], whilePaused?: typeof paused): Promise<Outcome> {
    let responseMessages: ModelMessage[];
    try {
      const result = await generateText({
        ...orbitAi.settings({ threadId, model, tools, messages }),
        stopWhen: isStepCount(20),
      });
      responseMessages = result.responseMessages as ModelMessage[];
    } catch (error) {
      const halt = haltOf(error);
      if (halt) return { status: 'halted', reasons: [...halt.decision.reasons] };
      // A refused answer: the SDK call throws, nothing ran, the requests stay pending.
      if (whilePaused && refusesAnswer(error)) {
        const message = (error as Error).message;
        return {
          status: 'paused',
          pending: whilePaused.pending.map((p) => ({ ...view(p), error: message })),
        };
      }
      throw error;
    }
    const all = [...messages, ...responseMessages];
    conversations.set(threadId, all);
    const pending = await orbitAi.pendingApprovals({ threadId, messages: all, tools });
    if (pending.length > 0) {
      paused = { messages: all, pending };
      return { status: 'paused', pending: pending.map(view) };
    }
    return { status: 'done', results: resultsOf(model.prompts.at(-1) ?? []) };
  }

  return {
    invoke: () => call([{ role: 'user', content: 'go' }]),
    async resume(answer) {
      if (!paused) {
        // A restarted process: the pending requests are read from the conversation the client kept.
        const messages = conversations.get(threadId) ?? [];
        paused = { messages, pending: await orbitAi.pendingApprovals({ threadId, messages, tools }) };
      }
      const at = paused;
      const content = at.pending.map((p) => toResponse(answer(view(p)), p));
      // The same paused conversation each time: a resume delivered twice is the same request again.
      return call([...at.messages, { role: 'tool', content: content as never }], at);
    },
    run: () => orbitAi.runOf(threadId),
    replayCacheSize: () => orbitAi.registry.stats(orbitAi.runOf(threadId)).results,
    persisted: async () => JSON.stringify(conversations.get(threadId) ?? []),
  };
}

/** Errors by which the SDK or ORBIT refuse an answer, leaving its request pending. */
function refusesAnswer(error: unknown): boolean {
  return (
    ApprovalError.isInstance(error) ||
    MissingToolResultsError.isInstance(error) ||
    InvalidPromptError.isInstance(error)
  );
}

/** A pending approval as the suite's neutral view. */
const view = (pending: PendingApproval): PendingView => pendingView(pending.orbit);

/** A neutral answer as the SDK's `tool-approval-response` (ORBIT's fields in `orbit`). */
function toResponse(answer: DriverAnswer, pending: PendingApproval): unknown {
  if (answer.type === 'raw') return answer.value;
  const response: OrbitApprovalResponse =
    answer.type === 'edit'
      ? approvalResponse(pending, { type: 'edit', args: answer.args })
      : answer.type === 'approve'
        ? approvalResponse(pending, { type: 'approve' })
        : approvalResponse(pending, { type: 'deny', ...(answer.stopRun ? { stop_run: true } : {}) });
  const hash = boundHash(answer, pending.orbit.action_hash);
  const { action_hash: _bound, ...rest } = response.orbit ?? {};
  return { ...response, orbit: hash === undefined ? rest : { ...rest, action_hash: hash } };
}

/** The tool results the model read in its last prompt, in the order of its calls. */
function resultsOf(prompt: LanguageModelV4Prompt): ToolResultView[] {
  const outputs = new Map<string, { type: string; value?: unknown; reason?: string }>();
  for (const message of prompt) {
    if (message.role !== 'tool') continue;
    for (const part of message.content)
      if (part.type === 'tool-result') outputs.set(part.toolCallId, part.output as never);
  }
  const results: ToolResultView[] = [];
  for (const message of prompt) {
    if (message.role !== 'assistant') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-call') continue;
      const output = outputs.get(part.toolCallId);
      if (!output) continue;
      const isError =
        output.type === 'error-text' || output.type === 'error-json' || output.type === 'execution-denied';
      const content =
        output.type === 'execution-denied'
          ? (output.reason ?? 'denied')
          : typeof output.value === 'string'
            ? output.value
            : JSON.stringify(output.value);
      results.push({ callId: part.toolCallId, tool: part.toolName, content, isError });
    }
  }
  return results;
}
