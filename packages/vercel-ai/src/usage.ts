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
        // Providers send a response's usage last, after its tool calls: the calls are held back until
        // the usage is counted, so that they are decided against it (text still streams at once).
        const held: StreamPart[] = [];
        const stream = (result.stream as ReadableStream<StreamPart>).pipeThrough(
          new TransformStream<StreamPart, StreamPart>({
            transform(part, controller) {
              if (part.type === 'response-metadata' && part.id !== undefined) id = part.id;
              if (part.type === 'tool-call') {
                held.push(part);
                return;
              }
              if (part.type === 'finish') {
                count(id, tokensOf(part.usage as Usage));
                for (const call of held.splice(0)) controller.enqueue(call);
              }
              controller.enqueue(part);
            },
            flush(controller) {
              // A stream that ends without a finish part: its calls go on, with nothing to count.
              for (const call of held.splice(0)) controller.enqueue(call);
            },
          }),
        );
        return { ...result, stream: stream as typeof result.stream };
      },
    },
  });
}
