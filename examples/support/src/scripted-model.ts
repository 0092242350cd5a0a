import { BaseChatModel, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';

/** One tool call of a scripted model turn. */
export interface ScriptedCall {
  name: string;
  args: Record<string, unknown>;
  id: string;
}

/**
 * An offline chat model for the demo: its answer is a pure function of the conversation, so it is
 * replay-safe (a resumed LangGraph node that asks it again gets the same answer). Turn n (the number
 * of AI messages so far) returns the n-th list of tool calls; after the last, a final text.
 */
export class ScriptedChatModel extends BaseChatModel {
  /** How many times the model was asked (resumes included). */
  calls = 0;
  /** The conversation the model was last asked with (tool results included), for tests to read. */
  lastMessages: readonly BaseMessage[] = [];

  constructor(
    private readonly turns: readonly (readonly ScriptedCall[])[],
    private readonly final = 'Done.',
    fields: BaseChatModelParams = {},
  ) {
    super(fields);
  }

  _llmType(): string {
    return 'scripted';
  }

  // createAgent binds the tools; the script already knows which it calls.
  override bindTools() {
    return this as never;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls++;
    this.lastMessages = [...messages];
    const turn = messages.filter((message) => message.getType() === 'ai').length;
    const calls = this.turns[turn];
    const message = calls
      ? new AIMessage({
          content: '',
          id: `scripted-${turn}`,
          tool_calls: calls.map((call) => ({ ...call, type: 'tool_call' as const })),
        })
      : new AIMessage({ content: this.final, id: `scripted-${turn}-final` });
    return { generations: [{ message, text: typeof message.content === 'string' ? message.content : '' }] };
  }
}
