import {
  type ApprovalAnswer,
  type ApprovalRequest,
  DEFAULT_HANDLER_APPROVER,
} from '../approvals/approval.js';
import { approvalError } from '../errors.js';
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
    throw approvalError('ERR_APPROVAL_HASH_MISMATCH', request.approval_id, {
      given: answer.action_hash,
      expected: request.action_hash,
    });
  }
  return answer;
}

/** The fields that are set: `{ approver: undefined }` leaves the default, as an omitted field does. */
function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}
