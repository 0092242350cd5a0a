// The bench's scripted model: as stateless as the tests' (each reply a function of the request's input), but
// cheap, so that the model is not what the bench measures. It reads only how many calls the conversation holds,
// records no request, and builds its output as the tests' model does (test/scripted-model.ts).
import type { Model, ModelRequest, ModelResponse } from '@openai/agents';
import { Usage } from '@openai/agents';
import type { ScriptedToolCall } from '../../../bench/lib/shapes.js';
import { outputOf } from '../test/scripted-model.js';

/** Tokens each response reports: the SDK records a request's usage only when it has tokens. */
const TOKENS = { input: 10, output: 5 };

/**
 * A model that plays `turns` (the parallel tool calls of each response) and then answers `done`. The turn it
 * plays is the one after the calls the request's input already holds (counted, not looked up by id), so the
 * same input always gets the same reply, whichever run, resume or retry asks.
 *
 * @example
 * const agent = new Agent({ name: 'bench', model: new BenchModel(shapeOf(1, 10).turns), tools });
 */
export class BenchModel implements Model {
  /** For each number of calls already made, the index of the turn that follows. */
  private readonly nextTurn = new Map<number, number>();

  constructor(private readonly turns: ScriptedToolCall[][]) {
    let made = 0;
    for (const [index, turn] of turns.entries()) {
      this.nextTurn.set(made, index);
      made += turn.length;
    }
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    let made = 0;
    if (Array.isArray(request.input))
      for (const item of request.input as { type?: string }[]) if (item.type === 'function_call') made++;
    const usage = new Usage({
      requests: 1,
      inputTokens: TOKENS.input,
      outputTokens: TOKENS.output,
      totalTokens: TOKENS.input + TOKENS.output,
    });
    const turn = this.turns[this.nextTurn.get(made) ?? this.turns.length];
    return { usage, output: outputOf(turn, 'done') };
  }

  // biome-ignore lint/correctness/useYield: the bench calls run() without stream.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('BenchModel does not stream.');
  }
}
