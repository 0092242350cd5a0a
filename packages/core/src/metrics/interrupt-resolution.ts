import { ratio } from './statistics.js';

/**
 * The answers an approval request can get: a person's (`approve`, `deny`, `edit`), a `timeout`, or
 * `no_approval_handler` (nobody could be asked: neither a human answer nor a timeout), or
 * `approval_handler_failed` (the handler threw or answered with something that is not an answer).
 */
export const APPROVAL_OUTCOMES = [
  'approve',
  'deny',
  'edit',
  'timeout',
  'no_approval_handler',
  'approval_handler_failed',
] as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];

/** How the interrupts of a group ended. */
export interface InterruptResolution {
  /** Pauses a human answered: `approve`, `deny` or `edit`. */
  human: number;
  /** `timeout + escalated`: interrupts that ended without a human answer. */
  agent: number;
  /** Pauses nobody answered in time: the gate resolved them (deny or halt, per `onApprovalTimeout`). */
  timeout: number;
  /**
   * Pauses nobody could be asked about (`run.execute` without an approval handler or a store): refused
   * at once. Neither human nor agent: a gap in the deployment, not a timeout.
   */
  noApprovalHandler: number;
  /**
   * Pauses whose approval handler threw or gave no valid answer: refused at once. Neither human nor
   * agent, and not a timeout: a fault in the approval channel.
   */
  handlerFailed: number;
  /** Calls the agent made to an escalation tool that were admitted: it handed the case off itself, no pause. */
  escalated: number;
  /** Pauses with no answer in the log (still waiting, or the log ends first). */
  pending: number;
  /** `agent / (agent + human)`; `null` when both are 0. */
  agentResolvedShare: number | null;
}

/** Human answers at one confidence: how many, and how many overrode the agent (`deny` or `edit`). */
export interface CalibrationPoint {
  confidence: number;
  answered: number;
  overridden: number;
}

/** How a group's interrupts ended, from its pauses, its answers and its admitted escalation calls. */
export function summarizeResolution(
  interrupts: number,
  answers: Readonly<Record<ApprovalOutcome, number>>,
  escalated: number,
): InterruptResolution {
  const human = answers.approve + answers.deny + answers.edit;
  const agent = answers.timeout + escalated;
  return {
    human,
    agent,
    timeout: answers.timeout,
    noApprovalHandler: answers.no_approval_handler,
    handlerFailed: answers.approval_handler_failed,
    escalated,
    pending: Math.max(
      0,
      interrupts - human - answers.timeout - answers.no_approval_handler - answers.approval_handler_failed,
    ),
    agentResolvedShare: ratio(agent, agent + human),
  };
}

/** The calibration points of a group (human answers by confidence), ascending by confidence. */
export function summarizeCalibration(
  points: ReadonlyMap<number, { answered: number; overridden: number }>,
): CalibrationPoint[] {
  return [...points].sort(([a], [b]) => a - b).map(([confidence, point]) => ({ confidence, ...point }));
}
