import {
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Usage,
} from '@openai/agents';
import type { ScriptedCall } from './scripted-model.js';

/**
 * An offline OpenAI Agents SDK model for the examples (the SDK's `Model` interface), scripted like
 * `ScriptedChatModel`: its answer is a pure function of the request's input, never of how often it
 * was asked, because the SDK may ask again after a `RunState` is restored, and asks for the model on
 * every turn. The next turn is the first whose calls the input does not hold yet (by call id); after
 * the last, a final text.
 *
 * @example
 * const model = new ScriptedAgentsModel([[{ name: 'search', args: { query: 'Acme' }, id: 'call-1' }]], 'Done.');
 * await run(new Agent({ name: 'searcher', model, tools }), 'Find Acme.');
 */
export class ScriptedAgentsModel implements Model {
  /** Every request the model got, in order. */
  readonly requests: ModelRequest[] = [];

  constructor(
    private readonly turns: readonly (readonly ScriptedCall[])[],
    private readonly final = 'Done.',
    readonly name = 'scripted',
  ) {}

  /** How many times the model was asked (resumes included). */
  get calls(): number {
    return this.requests.length;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const seen = callIdsIn(request.input);
    const turn = this.turns.find((calls) => calls.length > 0 && !seen.has(calls[0]!.id));
    // No tokens: the scripted model costs nothing, as ScriptedChatModel reports none.
    const usage = new Usage({ requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    if (!turn) {
      return {
        usage,
        responseId: `${this.name}-final-${seen.size}`,
        output: [
          {
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: this.final }],
          },
        ],
      };
    }
    return {
      usage,
      responseId: `${this.name}-${turn[0]!.id}`,
      output: turn.map((call) => ({
        type: 'function_call' as const,
        callId: call.id,
        name: call.name,
        arguments: JSON.stringify(call.args),
        status: 'completed' as const,
      })),
    };
  }

  // biome-ignore lint/correctness/useYield: the examples call run() without stream: true.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('ScriptedAgentsModel does not stream: call run() without stream: true.');
  }

  /** The tool results the model read in its last request, in order: call id, and the text it read. */
  lastResults(): { callId: string; output: string }[] {
    const input = this.requests.at(-1)?.input;
    if (!Array.isArray(input)) return [];
    return input.flatMap((item) =>
      item.type === 'function_call_result' ? [{ callId: item.callId, output: textOf(item.output) }] : [],
    );
  }
}

/** The call ids of the function calls in a request's input. */
function callIdsIn(input: string | AgentInputItem[]): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(input)) return ids;
  for (const item of input) if (item.type === 'function_call') ids.add(item.callId);
  return ids;
}

/** A tool result's output as text (the SDK passes text as `{ type: 'text', text }`). */
function textOf(output: unknown): string {
  if (typeof output === 'string') return output;
  const typed = output as { type?: string; text?: string } | undefined;
  if (typed?.type === 'text' && typeof typed.text === 'string') return typed.text;
  return JSON.stringify(output);
}
