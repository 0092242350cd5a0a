import type { Run, RunHaltedError } from '@orbit-agents/core';
import type { ModelMessage } from 'ai';

/** What the model reads instead of the SDK's `execution-denied` for a call ORBIT settled otherwise. */
export type ToolOutput =
  | { type: 'execution-denied'; reason: string }
  | { type: 'text'; value: string }
  | { type: 'error-text'; value: string };

/**
 * One `generateText` / `streamText` / `agent.generate` call under ORBIT: its run, the answers it
 * delivered (applied once), the halt that stops it, and what the model reads for denied calls.
 */
export class Invocation {
  readonly run: Run;
  /** Aborted with the `RunHaltedError` when the run halts inside a tool: the loop stops. */
  readonly controller = new AbortController();
  /** Tool results the model reads in place of the SDK's own (ORBIT's refusal for a person's denial). */
  readonly outputs = new Map<string, ToolOutput>();
  private halted: RunHaltedError | undefined;
  private answers: Promise<void> | undefined;

  constructor(run: Run) {
    this.run = run;
  }

  /** Applies the answers the messages deliver, once per invocation, whichever hook sees them first. */
  takeAnswers(
    messages: readonly ModelMessage[],
    apply: (messages: readonly ModelMessage[]) => Promise<void>,
  ) {
    this.answers ??= apply(messages);
    return this.answers;
  }

  /** The run halted (inside a tool, or by a person's stop): nothing further runs in this invocation. */
  stop(halt: RunHaltedError): void {
    this.halted ??= halt;
    if (!this.controller.signal.aborted) this.controller.abort(halt);
  }

  /** @throws RunHaltedError when the invocation was stopped. */
  throwIfHalted(): void {
    if (this.halted) throw this.halted;
  }

  /** Puts ORBIT's outputs in place of the SDK's `execution-denied` results, for the model to read. */
  patch(messages: ModelMessage[]): ModelMessage[] | undefined {
    if (this.outputs.size === 0) return undefined;
    let changed = false;
    const patched = messages.map((message) => {
      if (message.role !== 'tool') return message;
      const content = message.content.map((part) => {
        if (part.type !== 'tool-result' || part.output.type !== 'execution-denied') return part;
        const output = this.outputs.get(part.toolCallId);
        if (!output || (output.type === 'execution-denied' && output.reason === part.output.reason))
          return part;
        changed = true;
        return { ...part, output };
      });
      return changed ? { ...message, content } : message;
    });
    return changed ? patched : undefined;
  }
}
