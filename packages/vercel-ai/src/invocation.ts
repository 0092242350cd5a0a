import type { Run, RunHaltedError } from '@orbit-agents/core';
import { type DecidedCall, dropOldest } from '@orbit-agents/core/adapter';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import type { ModelMessage } from 'ai';
import { historyCallIds } from './history.js';
import type { SubAgentTool } from './sub-agent.js';
import type { ToolEntry } from './tool-entry.js';

/** What the model reads instead of the SDK's `execution-denied` for a call ORBIT settled otherwise. */
export type ToolOutput =
  | { type: 'execution-denied'; reason: string }
  | { type: 'text'; value: string }
  | { type: 'error-text'; value: string };

/** The tools of one call, by name: guarded tools and sub-agent tools. */
export interface ToolTable {
  readonly guarded: ReadonlyMap<string, ToolEntry>;
  readonly subAgents: ReadonlyMap<string, SubAgentTool>;
}

/**
 * One `generateText` / `streamText` / `agent.generate` call under ORBIT: its run and tools, the
 * answers it delivered (applied once), the calls its conversation already held, the halt that stops
 * it, and what the model reads for denied calls.
 */
export class Invocation {
  readonly run: Run;
  readonly tools: ToolTable;
  /** Who answered, set by the server for this call (a client's `orbit.approver` is then not read). */
  readonly approver: string | undefined;
  /** Aborted with the `RunHaltedError` when the run halts inside a tool: the loop stops. */
  readonly controller = new AbortController();
  /** Tool results the model reads in place of the SDK's own, kept per run (later calls read them too). */
  readonly outputs: Map<string, ToolOutput>;
  /** Tool call ids the conversation held when the call began: they are recalled, never decided anew. */
  history: ReadonlySet<string> = new Set();
  /** Calls decided in this invocation's `toolApproval`, with the input they were decided on, until they run. */
  private readonly decided = new Map<string, { input: unknown; decided: DecidedCall }>();
  private halted: RunHaltedError | undefined;
  private answers: Promise<void> | undefined;
  private started = false;

  private readonly cap: number;

  constructor(
    run: Run,
    tools: ToolTable,
    kept: { outputs: Map<string, ToolOutput>; cap: number },
    approver: string | undefined,
  ) {
    this.run = run;
    this.tools = tools;
    this.outputs = kept.outputs;
    this.cap = kept.cap;
    this.approver = approver;
  }

  /** Keeps what the model reads for a call in place of the SDK's result, within the replay cache's bound. */
  remember(callId: string, output: ToolOutput): void {
    this.outputs.delete(callId);
    this.outputs.set(callId, output);
    dropOldest(this.outputs, this.cap);
  }

  /** Applies the answers the messages deliver, once per invocation, whichever hook sees them first. */
  takeAnswers(
    messages: readonly ModelMessage[],
    apply: (messages: readonly ModelMessage[]) => Promise<void>,
  ) {
    if (!this.answers) {
      this.history = historyCallIds(messages);
      this.answers = apply(messages);
    }
    return this.answers;
  }

  /**
   * The first step of the call. One `settings()` serves one call: its answers were taken for that
   * call's conversation, so a second call with the same settings is refused rather than misread.
   *
   * @throws OptionsInvalidError on a second call with the same settings.
   */
  begin(): void {
    if (this.started) {
      throw new OptionsInvalidError(
        'These orbitAi.settings() were already used for a call: make new settings() for each call (generateText, streamText), since they carry that call’s answers and abort signal.',
      );
    }
    this.started = true;
  }

  /** Keeps a call decided moments ago, so that its tool's `execute` does not read and look it up again. */
  noteDecided(callId: string, input: unknown, decided: DecidedCall): void {
    this.decided.set(callId, { input, decided });
  }

  /** The decision made for this call in this invocation, if `execute` is given the very input it was decided on. */
  takeDecided(callId: string, input: unknown): DecidedCall | undefined {
    const noted = this.decided.get(callId);
    if (!noted) return undefined;
    this.decided.delete(callId);
    return noted.input === input ? noted.decided : undefined;
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
      let touched = false;
      const content = message.content.map((part) => {
        if (part.type !== 'tool-result' || part.output.type !== 'execution-denied') return part;
        const output = this.outputs.get(part.toolCallId);
        if (!output || (output.type === 'execution-denied' && output.reason === part.output.reason))
          return part;
        touched = true;
        return { ...part, output };
      });
      if (!touched) return message;
      changed = true;
      return { ...message, content };
    });
    return changed ? patched : undefined;
  }
}
