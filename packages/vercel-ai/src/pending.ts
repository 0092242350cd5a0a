import type { Decision } from '@orbit-agents/core';
import { type PauseDetails, pauseDetails } from '@orbit-agents/core/adapter';

/** What ORBIT paused, for the person who answers: the kit's pause details and the arguments. */
export interface OrbitApprovalDetails extends PauseDetails {
  /** The arguments the approval is asked for. */
  args: unknown;
}

/** The details of a paused decision. */
export function details(decision: Decision, depth: number): OrbitApprovalDetails {
  return { ...pauseDetails(decision, depth), args: decision.approval!.args };
}

/** The reason the SDK shows with ORBIT's approval request (`approval.requestReason` in a chat UI). */
export function pauseReason(decision: Decision): string {
  const confidence = decision.confidence === null ? 'no confidence' : `confidence ${decision.confidence}`;
  return `ORBIT paused "${decision.tool}" (${decision.reversibility}, ${confidence}): ${decision.reasons.join(', ')}.`;
}
