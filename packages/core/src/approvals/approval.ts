import { z } from 'zod';
import type { DecisionKind, ReasonCode } from '../gate/reason-codes.js';
import type { Tier } from '../gate/tier.js';

/** A pending human decision for a paused call. */
export interface ApprovalRequest {
  readonly approval_id: string;
  readonly run_id: string;
  readonly agent_id: string;
  readonly call_id: string;
  readonly tool: string;
  /** The validated arguments (confidence stripped). */
  readonly args: unknown;
  readonly decision: DecisionKind;
  readonly reasons: readonly ReasonCode[];
  readonly confidence: number | null;
  /** The call's tier (`escalation` for an escalation tool). */
  readonly reversibility: Tier;
  /** SHA-256 over run, call, tool and arguments: an answer must carry it. */
  readonly action_hash: string;
  readonly requested_at: string;
  /** The allowed answers; `edit` re-validates and re-gates the new arguments. */
  readonly allowed_answers: readonly ('approve' | 'deny' | 'edit')[];
  /** What the run had used when it paused, for the human's context. */
  readonly context: { task_scope: string; maturity_level: number; ledger: unknown };
}

const base = {
  action_hash: z.string().min(1, 'expected the action_hash of the request being answered'),
  approver: z.string().min(1, 'expected who answered (approver)'),
  comment: z.string().optional(),
};

/** A human's answer. Validated at the edge; bound to the request by `action_hash`. */
export const ApprovalAnswerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('approve'),
    ...base,
    /** For a soft-budget pause: raise the run's budgets by this much. */
    extend_budget: z
      .strictObject({
        tokens: z.number().int().nonnegative().optional(),
        records: z.number().int().nonnegative().optional(),
        minutes: z.number().nonnegative().optional(),
      })
      .optional(),
  }),
  z.strictObject({
    type: z.literal('deny'),
    ...base,
    /** Stop the whole run, not only this call (the "stop" answer to a soft-budget pause). */
    stop_run: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('edit'), ...base, args: z.unknown() }),
]);
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;

/** Who answered, when an approval handler's answer does not say (`approver` omitted). */
export const DEFAULT_HANDLER_APPROVER = 'approval-handler';

/**
 * What an approval handler returns: an `ApprovalAnswer` in which `approver` (default
 * `'approval-handler'`) and `action_hash` (default: the hash of the request the handler was given)
 * may be left out. A different `action_hash` given explicitly is still a mismatch.
 */
export type ApprovalHandlerAnswer = ApprovalAnswer extends infer Answer
  ? Answer extends unknown
    ? Omit<Answer, 'approver' | 'action_hash'> & { approver?: string; action_hash?: string }
    : never
  : never;

/**
 * Answers approval requests. Return the human's answer; ORBIT applies its own timeout
 * (`approvalTimeoutMs`) and records a timeout as a timeout, never as a denial. A handler that throws,
 * or returns something that is not an answer (or an answer bound to another request), gave no answer:
 * the call is refused as for a timeout, with a warning on the console, and the run goes on.
 *
 * @example
 * const approvalHandler: ApprovalHandler = async (request) =>
 *   (await askReviewer(request)) ? { type: 'approve', approver: 'maria@finance' } : { type: 'deny', comment: 'wrong vendor' };
 */
export type ApprovalHandler = (
  request: ApprovalRequest,
  signal: AbortSignal,
) => Promise<ApprovalHandlerAnswer> | ApprovalHandlerAnswer;
