import type { Refusal } from '@orbit-agents/core';

/**
 * ORBIT did not run a tool call (a replay of a call that ran, an edit refused on its re-gate): the
 * SDK reports it to the model as the tool's error, with the refusal's reasons. Catch it by `code`.
 */
export class ToolRefusedError extends Error {
  readonly code = 'ERR_TOOL_REFUSED' as const;
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.name = 'ToolRefusedError';
    this.refusal = refusal;
  }

  /** What the model reads (the SDK's `error-text` is the error's string): the structured refusal, as JSON. */
  override toString(): string {
    return JSON.stringify(this.refusal);
  }
}
