import {
  type ApprovalAnswer,
  type ApprovalRequest,
  DEFAULT_HANDLER_APPROVER,
} from '../approvals/approval.js';
import { ApprovalHashMismatchError } from '../errors.js';
import { parseAnswer } from './approval-desk.js';

/**
 * An approval handler's answer, completed and checked against the request the handler was given:
 * `approver` defaults to `'approval-handler'`, `action_hash` to the request's. A different
 * `action_hash` given explicitly is still a mismatch.
 *
 * @throws ApprovalAnswerInvalidError naming the field that is wrong (not an answer at all: `(root)`).
 * @throws ApprovalHashMismatchError when the answer names another request's `action_hash`.
 */
export function completeHandlerAnswer(request: ApprovalRequest, given: unknown): ApprovalAnswer {
  const defaults = { action_hash: request.action_hash, approver: DEFAULT_HANDLER_APPROVER };
  const filled =
    typeof given === 'object' && given !== null && !Array.isArray(given)
      ? { ...defaults, ...withoutUndefined(given as Record<string, unknown>) }
      : given;
  const answer = parseAnswer(request.approval_id, filled);
  if (answer.action_hash !== request.action_hash) {
    // Not `approvalError`'s message: here the request is not left pending, the call is refused.
    throw new ApprovalHashMismatchError(
      'ERR_APPROVAL_HASH_MISMATCH',
      `The approval handler's answer to "${request.approval_id}" is bound to other arguments (action_hash ${answer.action_hash}, expected ${request.action_hash})`,
      request.approval_id,
    );
  }
  return answer;
}

/** The fields that are set: `{ approver: undefined }` leaves the default, as an omitted field does. */
function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}
