import { MockLanguageModelV4 } from 'ai/test';
import type { ScriptedCall } from './scripted-model.js';

type Generate = NonNullable<ConstructorParameters<typeof MockLanguageModelV4>[0]>['doGenerate'];
type Prompt = Parameters<Extract<Generate, (...args: never[]) => unknown>>[0]['prompt'];

/**
 * An offline AI SDK language model for the examples (the SDK's own `MockLanguageModelV4`), scripted
 * like `ScriptedChatModel`: its answer is a pure function of the conversation, so a resumed call
 * gets the same answer again. Turn n (the number of assistant messages in the prompt) returns the
 * n-th list of tool calls; after the last, a final text.
 *
 * @example
 * const model = new ScriptedAiModel([[{ name: 'search', args: { query: 'Acme' }, id: 'call-1' }]], 'Done.');
 * await generateText({ model, tools, prompt: 'Find Acme.' });
 */
export class ScriptedAiModel extends MockLanguageModelV4 {
  constructor(turns: readonly (readonly ScriptedCall[])[], final = 'Done.', name = 'scripted') {
    super({
      provider: 'scripted',
      modelId: name,
      doGenerate: async ({ prompt }) => answer(turns, final, name, prompt),
    });
  }

  /** How many times the model was asked (resumes included). */
  get calls(): number {
    return this.doGenerateCalls.length;
  }
}

/** The scripted turn of a prompt: its tool calls, or the final text once the script has run out. */
function answer(turns: readonly (readonly ScriptedCall[])[], final: string, name: string, prompt: Prompt) {
  const turn = prompt.filter((message) => message.role === 'assistant').length;
  const calls = turns[turn] ?? [];
  // No tokens: the scripted model costs nothing, as ScriptedChatModel reports none.
  const usage = {
    inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 0, text: 0, reasoning: 0 },
  };
  const response = { id: `${name}-${turn}`, timestamp: new Date(0), modelId: name };
  if (calls.length === 0) {
    return {
      content: [{ type: 'text' as const, text: final }],
      finishReason: { unified: 'stop' as const, raw: 'stop' },
      usage,
      warnings: [],
      response,
    };
  }
  return {
    content: calls.map((call) => ({
      type: 'tool-call' as const,
      toolCallId: call.id,
      toolName: call.name,
      input: JSON.stringify(call.args),
    })),
    finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
    usage,
    warnings: [],
    response,
  };
}
