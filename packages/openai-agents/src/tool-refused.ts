import type { Refusal } from '@orbit-agents/core';

/**
 * What the model reads for a call ORBIT did not run (blocked, denied, a replay of a call that ran):
 * the structured refusal as JSON, or the person's comment when they wrote one for the model.
 */
export function refusalOutput(refusal: Refusal): string {
  return refusal.comment ?? JSON.stringify(refusal);
}

/** What the model reads for a tool that threw: the SDK's own wording, with the error's message. */
export function failureOutput(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `An error occurred while running the tool. Please try again. Error: ${message}`;
}
