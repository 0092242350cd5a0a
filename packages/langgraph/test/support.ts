import { BaseChatModel, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import {
  createOrbit,
  loadManifest,
  type ManifestInput,
  MemorySink,
  type OrbitOptions,
} from '@orbit-agents/core';

/** A manifest with one tool per tier, a blocked tool and one sub-agent profile. */
export function manifestOf(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    agent_id: 'lg-agent',
    manifest_version: 1,
    owner_team: '#team-test',
    deployed_at: '2026-11-01T09:00:00Z',
    task_scope: 'Test ORBIT inside LangGraph',
    maturity_level: 3,
    allowed_tools: [
      { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' },
      { name: 'draft', max_calls_per_run: 50, reversibility: 'reversible' },
      { name: 'update', max_calls_per_run: 50, reversibility: 'partial', confidence_threshold: 0.88 },
      { name: 'send', max_calls_per_run: 50, reversibility: 'irreversible', confidence_threshold: 0.9 },
      { name: 'explode', max_calls_per_run: 50, reversibility: 'read_only' },
    ],
    explicitly_blocked_tools: ['merge'],
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 80_000,
      max_records_touched_per_run: 200,
      time_limit_minutes: 30,
    },
    delegation: {
      max_depth: 1,
      max_sub_agents_per_run: 3,
      profiles: [
        {
          name: 'researcher',
          description: 'reads and sends, nothing else',
          tools: [
            { name: 'read', max_calls_per_run: 5 },
            { name: 'send', max_calls_per_run: 1 },
          ],
          may_delegate: false,
          ttl_seconds: 600,
        },
      ],
    },
    ...overrides,
  };
}

/** An orbit over an unsigned test manifest, recording events in memory. */
export async function orbitOf(overrides: Partial<ManifestInput> = {}, options: Partial<OrbitOptions> = {}) {
  const manifest = await loadManifest({
    manifest: manifestOf(overrides),
    allowUnsigned: true,
    logger: { warn() {} },
  });
  const sink = new MemorySink();
  const orbit = createOrbit({ manifest, sink, ...options });
  return { orbit, sink, manifest };
}

export interface ScriptedCall {
  name: string;
  args: Record<string, unknown>;
  id: string;
}

/**
 * A chat model whose answer is a pure function of the conversation (replay-safe): turn n (the
 * number of AI messages so far) returns the n-th list of tool calls, then a final text.
 */
export class ScriptedChatModel extends BaseChatModel {
  calls = 0;
  constructor(
    private readonly turns: readonly ScriptedCall[][],
    private readonly final = 'done',
    private readonly usage?: { input_tokens: number; output_tokens: number },
    fields: BaseChatModelParams = {},
  ) {
    super(fields);
  }
  _llmType() {
    return 'scripted';
  }
  /** The tools the agent bound, as the model sees them. */
  bound: unknown[] = [];
  override bindTools(tools: unknown[]) {
    this.bound = tools;
    return this as never;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls++;
    const turn = messages.filter((message) => message.getType() === 'ai').length;
    const calls = this.turns[turn];
    const usage = this.usage
      ? { ...this.usage, total_tokens: this.usage.input_tokens + this.usage.output_tokens }
      : undefined;
    const message = calls
      ? new AIMessage({
          content: '',
          id: `ai-${turn}-${calls.map((call) => call.id).join('-')}`,
          tool_calls: calls.map((call) => ({ ...call, type: 'tool_call' as const })),
          ...(usage ? { usage_metadata: usage } : {}),
        })
      : new AIMessage({
          content: this.final,
          id: `ai-${turn}-final`,
          ...(usage ? { usage_metadata: usage } : {}),
        });
    return { generations: [{ message, text: typeof message.content === 'string' ? message.content : '' }] };
  }
}

/** Kinds and tools of the audit events, in order. */
export function decisionsOf(sink: MemorySink) {
  return sink.events
    .filter((event) => event.event === 'decision')
    .map((event) => ({
      tool: event.tool,
      decision: event.decision,
      reasons: event.reasons,
      call_id: event.call_id,
    }));
}
