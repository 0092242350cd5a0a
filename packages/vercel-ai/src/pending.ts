import type { Decision } from '@orbit-agents/core';

/** What ORBIT paused, for the person who answers: shown by `pendingApprovals`. */
export interface OrbitApprovalDetails {
  approval_id: string;
  /** An answer carries it (`orbit.action_hash`): an approval for other arguments is refused. */
  action_hash: string;
  run_id: string;
  agent_id: string;
  /** 0 for the top-level agent, 1 for its sub-agent, and so on. */
  depth: number;
  /** The paused call (a sub-agent's own call id for a request raised inside it). */
  call_id: string;
  tool: string;
  args: unknown;
  reasons: readonly string[];
  confidence: number | null;
  reversibility: string;
  requested_at: string;
  task_scope: string;
}

/** The details of a paused decision. */
export function details(decision: Decision, depth: number): OrbitApprovalDetails {
  const request = decision.approval!;
  return {
    approval_id: request.approval_id,
    action_hash: request.action_hash,
    run_id: request.run_id,
    agent_id: request.agent_id,
    depth,
    call_id: request.call_id,
    tool: request.tool,
    args: request.args,
    reasons: decision.reasons,
    confidence: request.confidence,
    reversibility: request.reversibility,
    requested_at: request.requested_at,
    task_scope: request.context.task_scope,
  };
}

/** The reason the SDK shows with ORBIT's approval request (`approval.requestReason` in a chat UI). */
export function pauseReason(decision: Decision): string {
  const confidence = decision.confidence === null ? 'no confidence' : `confidence ${decision.confidence}`;
  return `ORBIT paused "${decision.tool}" (${decision.reversibility}, ${confidence}): ${decision.reasons.join(', ')}.`;
}
