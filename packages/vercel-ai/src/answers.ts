import type { ApprovalAnswer, ApprovalRequest } from '@orbit-agents/core';

/** What ORBIT reads on the AI SDK's `tool-approval-response`, besides `approved` and `reason`. */
export interface OrbitResponseFields {
  /** When given, it must equal the request's: an approval for other arguments is refused. */
  action_hash?: string;
  /** Who answered. Default: the binding's `approver` option. */
  approver?: string;
  /** An approval with edited arguments (re-validated and re-gated before the tool runs). */
  args?: Record<string, unknown>;
  /** With `approved: false`: the denial halts the whole run, nothing further runs. */
  stop_run?: boolean;
  /** Raises the run's soft budgets (the answer to a budget pause). */
  extend_budget?: { tokens?: number; records?: number; minutes?: number };
}

/** The AI SDK's `tool-approval-response` content part, with ORBIT's optional `orbit` field. */
export interface OrbitApprovalResponse {
  type: 'tool-approval-response';
  approvalId: string;
  approved: boolean;
  /** What the person said: the audit comment, and for a denial what the model is told. */
  reason?: string;
  orbit?: OrbitResponseFields;
}

/** A person's answer in neutral terms, for `approvalResponse`. */
export type OrbitAnswer =
  | {
      type: 'approve';
      reason?: string;
      approver?: string;
      extend_budget?: OrbitResponseFields['extend_budget'];
    }
  | { type: 'deny'; reason?: string; approver?: string; stop_run?: boolean }
  | { type: 'edit'; args: Record<string, unknown>; reason?: string; approver?: string };

/**
 * The AI SDK's `tool-approval-response` for a pending ORBIT approval, bound to its action hash. Put it
 * in a `{ role: 'tool', content: [...] }` message after the paused result's messages and call again.
 *
 * @example
 * const [pending] = await orbitAi.pendingApprovals({ threadId, messages });
 * messages.push({ role: 'tool', content: [approvalResponse(pending, { type: 'approve' })] });
 */
export function approvalResponse(
  pending: { approvalId: string; orbit: { action_hash: string } },
  answer: OrbitAnswer,
): OrbitApprovalResponse {
  const orbit: OrbitResponseFields = { action_hash: pending.orbit.action_hash };
  if (answer.approver !== undefined) orbit.approver = answer.approver;
  if (answer.type === 'edit') orbit.args = answer.args;
  if (answer.type === 'deny' && answer.stop_run) orbit.stop_run = true;
  if (answer.type === 'approve' && answer.extend_budget) orbit.extend_budget = answer.extend_budget;
  return {
    type: 'tool-approval-response',
    approvalId: pending.approvalId,
    approved: answer.type !== 'deny',
    ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    orbit,
  };
}

/**
 * Turns a `tool-approval-response` into the core's approval answer, or says what is wrong with it.
 * `bound` is true when the response names the request's action hash.
 */
export function toApprovalAnswer(
  value: unknown,
  request: ApprovalRequest,
  defaultApprover: string,
): { answer: ApprovalAnswer; bound: boolean } | { error: string } {
  const response = value as Partial<OrbitApprovalResponse> | null;
  if (!response || typeof response !== 'object' || typeof response.approved !== 'boolean') {
    return {
      error: `Expected a tool-approval-response with approved: true | false for "${request.tool}", got ${JSON.stringify(value)}.`,
    };
  }
  const orbit = response.orbit ?? {};
  if (typeof orbit !== 'object' || orbit === null || Array.isArray(orbit)) {
    return {
      error: `Expected orbit on the tool-approval-response to be an object, got ${JSON.stringify(orbit)}.`,
    };
  }
  if (orbit.action_hash !== undefined && typeof orbit.action_hash !== 'string') {
    return { error: `Expected orbit.action_hash to be a string, got ${JSON.stringify(orbit.action_hash)}.` };
  }
  const base = {
    action_hash: orbit.action_hash ?? request.action_hash,
    approver: orbit.approver ?? defaultApprover,
    ...(response.reason === undefined ? {} : { comment: response.reason }),
  };
  const bound = orbit.action_hash !== undefined;
  if (!response.approved) {
    return { bound, answer: { type: 'deny', ...base, ...(orbit.stop_run ? { stop_run: true } : {}) } };
  }
  if (orbit.args !== undefined) return { bound, answer: { type: 'edit', ...base, args: orbit.args } };
  return {
    bound,
    answer: {
      type: 'approve',
      ...base,
      ...(orbit.extend_budget ? { extend_budget: orbit.extend_budget } : {}),
    },
  };
}
