import type { ApprovalAnswer, ApprovalHandlerAnswer, ApprovalRequest } from '@orbit-agents/core';
import { parseAnswer } from '@orbit-agents/core/adapter';

/**
 * A person's answer to a pause, as `orbitAgents.answer()` takes it: the core's approval answer, in which
 * `action_hash` (default: the request's) and `approver` (default: the binding's) may be left out.
 * `edit` carries the new arguments (re-validated and re-gated); `deny` may carry `stop_run`.
 */
export type OrbitAnswer = ApprovalHandlerAnswer;

/**
 * An answer as the core's approval answer, or what is wrong with it (naming the field). `bound` is true
 * when it names the request's action hash itself.
 */
export function toApprovalAnswer(
  value: unknown,
  request: ApprovalRequest,
  defaultApprover: string,
): { answer: ApprovalAnswer; bound: boolean } | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return {
      error: `Expected an answer object ({ type: 'approve' | 'deny' | 'edit', ... }) for "${request.tool}", got ${JSON.stringify(value)}.`,
    };
  const given = value as { action_hash?: unknown; approver?: unknown };
  const filled = {
    ...value,
    action_hash: given.action_hash ?? request.action_hash,
    approver: given.approver ?? defaultApprover,
  };
  try {
    return { answer: parseAnswer(request.approval_id, filled), bound: given.action_hash !== undefined };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
