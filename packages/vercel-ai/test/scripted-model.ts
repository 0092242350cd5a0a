// A scripted AI SDK model for tests: a pure function of the conversation (the number of assistant
// messages in the prompt is the turn), so a resume or a replay gets the same answer. Each response
// has a stable id per turn, and reports `usage` input tokens when given.
import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import { MockLanguageModelV4 } from 'ai/test';

export interface ScriptedToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface ScriptedModel extends MockLanguageModelV4 {
  /** The prompts the model was called with, in order. */
  readonly prompts: LanguageModelV4Prompt[];
}

/** The model: turn `i` answers with `turns[i]`'s tool calls, then with `finalText`. */
export function scriptedModel(
  turns: ScriptedToolCall[][],
  finalText = 'done',
  usage = 0,
  name = 'scripted',
): ScriptedModel {
  const prompts: LanguageModelV4Prompt[] = [];
  const answer = (prompt: LanguageModelV4Prompt) => {
    prompts.push(prompt);
    const turn = prompt.filter((message) => message.role === 'assistant').length;
    const calls = turns[turn] ?? [];
    const usageOf = {
      inputTokens: { total: usage, noCache: usage, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 0, text: 0, reasoning: 0 },
    };
    const response = { id: `${name}-turn-${turn}`, timestamp: new Date(0), modelId: name };
    if (calls.length === 0) {
      return {
        content: [{ type: 'text', text: finalText }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usageOf,
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
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: usageOf,
      warnings: [],
      response,
    };
  };
  const model = new MockLanguageModelV4({
    modelId: name,
    doGenerate: async ({ prompt }) => answer(prompt) as never,
    // The same answer as stream parts (streamText, the UI message stream).
    doStream: async ({ prompt }) => {
      const result = answer(prompt) as ReturnType<typeof answer> & {
        content: { type: string; text?: string }[];
      };
      const parts: unknown[] = [
        { type: 'stream-start', warnings: [] },
        { type: 'response-metadata', ...result.response },
      ];
      for (const [i, part] of result.content.entries()) {
        if (part.type === 'text') {
          parts.push(
            { type: 'text-start', id: `t${i}` },
            { type: 'text-delta', id: `t${i}`, delta: part.text },
            { type: 'text-end', id: `t${i}` },
          );
        } else parts.push(part);
      }
      parts.push({ type: 'finish', finishReason: result.finishReason, usage: result.usage });
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }) as never,
      };
    },
  });
  return Object.assign(model, { prompts });
}
