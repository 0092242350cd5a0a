// A scripted model for the OpenAI Agents SDK: each reply is a function of the request's input only
// (the SDK may ask again after a restore, a replay or a restart), never of how often it was called.
import { type Model, type ModelRequest, type ModelResponse, type StreamEvent, Usage } from '@openai/agents';

/** One tool call of a scripted turn. */
export interface ScriptedCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A model that plays `turns` (one array of tool calls per response) and then answers `final`. */
export class ScriptedAgentsModel implements Model {
  /** Every request the model got, in order. */
  readonly requests: ModelRequest[] = [];

  constructor(
    private readonly turns: ScriptedCall[][],
    private readonly final = 'done',
    /** Tokens each response reports as its usage. */
    private readonly usage = 0,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const seen = callIdsIn(request.input);
    // The next turn: the first whose calls the conversation does not hold yet.
    const turn = this.turns.find((calls) => calls.length > 0 && !seen.has(calls[0]!.id));
    const usage = new Usage({
      requests: 1,
      inputTokens: 0,
      outputTokens: this.usage,
      totalTokens: this.usage,
    });
    return {
      usage,
      responseId: turn ? `resp-${turn[0]!.id}` : `resp-final-${seen.size}`,
      output: outputOf(turn, this.final),
    };
  }

  /** The same reply as one `response_done` event (what a provider sends last, with the usage). */
  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const response = await this.getResponse(request);
    yield {
      type: 'response_done',
      response: {
        id: response.responseId ?? 'resp',
        usage: {
          requests: 1,
          inputTokens: response.usage.inputTokens,
          outputTokens: response.usage.outputTokens,
          totalTokens: response.usage.totalTokens,
        },
        output: response.output,
      },
    } as StreamEvent;
  }

  /** The tool outputs the model read in its last request, by call id. */
  lastOutputs(): Map<string, string> {
    const outputs = new Map<string, string>();
    const input = this.requests.at(-1)?.input;
    if (!Array.isArray(input)) return outputs;
    for (const item of input as { type?: string; callId?: string; output?: unknown }[]) {
      if (item.type !== 'function_call_result' || item.callId === undefined) continue;
      outputs.set(item.callId, textOf(item.output));
    }
    return outputs;
  }

  /** The tool calls in the model's last request, in order, with their names. */
  lastCalls(): { callId: string; name: string }[] {
    const input = this.requests.at(-1)?.input;
    if (!Array.isArray(input)) return [];
    return (input as { type?: string; callId?: string; name?: string }[])
      .filter((item) => item.type === 'function_call')
      .map((item) => ({ callId: item.callId!, name: item.name! }));
  }
}

/**
 * A scripted response's output: the turn's tool calls, or (no turn left) the final answer as an assistant
 * message. Shared with the bench's cheaper model (bench/model.ts).
 *
 * @example
 * const output = outputOf([{ id: 'call-1', name: 'read', args: { id: 'r1' } }], 'done');
 */
export function outputOf(turn: readonly ScriptedCall[] | undefined, final: string): ModelResponse['output'] {
  if (!turn)
    return [
      {
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: final }],
      },
    ];
  return turn.map((call) => ({
    type: 'function_call' as const,
    callId: call.id,
    name: call.name,
    arguments: JSON.stringify(call.args),
    status: 'completed' as const,
  }));
}

function callIdsIn(input: ModelRequest['input']): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(input)) return ids;
  for (const item of input as { type?: string; callId?: string }[])
    if (item.type === 'function_call' && item.callId) ids.add(item.callId);
  return ids;
}

function textOf(output: unknown): string {
  if (typeof output === 'string') return output;
  const typed = output as { type?: string; text?: string } | undefined;
  if (typed?.type === 'text' && typeof typed.text === 'string') return typed.text;
  if (Array.isArray(output))
    return output.map((part) => (part as { text?: string }).text ?? JSON.stringify(part)).join('');
  return JSON.stringify(output);
}
