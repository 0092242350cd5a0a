import { type LanguageModel, wrapLanguageModel } from 'ai';

/** The stream parts ORBIT reads (the provider's `LanguageModelV4StreamPart`). */
type StreamPart = { type: string; id?: string; usage?: unknown };

type Usage = { inputTokens?: { total?: number }; outputTokens?: { total?: number } } | undefined;

function tokensOf(usage: Usage): number {
  return (usage?.inputTokens?.total ?? 0) + (usage?.outputTokens?.total ?? 0);
}

/**
 * The model, counting each response's usage into the run's token budget as soon as it arrives, before
 * its tool calls are decided (a response that goes over the budget has its own calls paused or halted).
 * Counted once per response id, however often a step is replayed.
 */
export function countingUsage(
  model: Exclude<LanguageModel, string>,
  count: (responseId: string | undefined, tokens: number) => void,
): Exclude<LanguageModel, string> {
  return wrapLanguageModel({
    model: model as never,
    middleware: {
      wrapGenerate: async ({ doGenerate }) => {
        const result = await doGenerate();
        count(result.response?.id, tokensOf(result.usage as Usage));
        return result;
      },
      wrapStream: async ({ doStream }) => {
        const result = await doStream();
        let id: string | undefined;
        const stream = (result.stream as ReadableStream<StreamPart>).pipeThrough(
          new TransformStream<StreamPart, StreamPart>({
            transform(part, controller) {
              if (part.type === 'response-metadata' && part.id !== undefined) id = part.id;
              if (part.type === 'finish') count(id, tokensOf(part.usage as Usage));
              controller.enqueue(part);
            },
          }),
        );
        return { ...result, stream: stream as typeof result.stream };
      },
    },
  });
}
