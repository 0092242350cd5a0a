import type { Decision } from '../run/decision.js';

/** What a person needs to answer a pause, as every adapter shows it (LangGraph's interrupt, the AI SDK's pending approvals). */
export interface PauseDetails {
  approval_id: string;
  /** An answer carries it: an approval given for other arguments is refused. */
  action_hash: string;
  run_id: string;
  agent_id: string;
  /** 0 for the top-level agent, 1 for its sub-agent, and so on. */
  depth: number;
  /** The paused call (a sub-agent's own call id for a request raised inside it). */
  call_id: string;
  tool: string;
  reasons: readonly string[];
  confidence: number | null;
  reversibility: string;
  requested_at: string;
  task_scope: string;
  /** Set when an earlier answer to this request was refused; the request is still pending. */
  error?: string;
}

/**
 * The details of a paused decision (one with an approval request) for the person who answers it.
 *
 * @throws TypeError when the decision has no approval request (it is not a pause).
 */
export function pauseDetails(decision: Decision, depth: number, error?: string): PauseDetails {
  const request = decision.approval;
  if (!request)
    throw new TypeError(
      `Decision "${decision.call_id}" is ${decision.decision}, not a pause with an approval request.`,
    );
  return {
    approval_id: request.approval_id,
    action_hash: request.action_hash,
    run_id: request.run_id,
    agent_id: request.agent_id,
    depth,
    call_id: request.call_id,
    tool: request.tool,
    reasons: decision.reasons,
    confidence: request.confidence,
    reversibility: request.reversibility,
    requested_at: request.requested_at,
    task_scope: request.context.task_scope,
    ...(error ? { error } : {}),
  };
}
