import type { ApprovalRequest } from '../approvals/approval.js';
import { expireApproval, expireAsync } from './approval-desk.js';
import type { Decision } from './decision.js';
import type { ToolShape } from './guard-request.js';
import type { RunCore } from './run-core.js';

/** The code of the process warning for an approval handler that threw or gave no valid answer. */
export const APPROVAL_HANDLER_FAILED_WARNING = 'ORBIT_APPROVAL_HANDLER_FAILED';

/** The code of the process warning for a pause that met no approval handler. */
export const NO_APPROVAL_HANDLER_WARNING = 'ORBIT_NO_APPROVAL_HANDLER';

/**
 * A warning that goes out once (per Orbit): a paused call in `run.execute` found no approval handler
 * to ask, so it was refused as `no_approval_handler`. Warned the way Node libraries warn.
 */
export function noApprovalHandlerWarning(): () => void {
  let warned = false;
  return () => {
    if (warned) return;
    warned = true;
    process.emitWarning(
      'A call paused for approval in run.execute(), but createOrbit() was given no approvalHandler (and no store ' +
        'someone answers in): nobody could be asked, so it was refused as "no_approval_handler". Pass ' +
        'createOrbit({ approvalHandler: (request) => … }) to ask a person, or a store to answer in (run.answerAsync).',
      { code: NO_APPROVAL_HANDLER_WARNING },
    );
  };
}

/**
 * Refuses a paused call nobody could be asked about: a `block` with `no_approval_handler`, its
 * `approval` event `no_approval_handler` (not a timeout: no human ever had the chance to answer).
 */
export function refuseWithoutHandler(run: RunCore, request: ApprovalRequest): Decision {
  run.settings.warnNoApprovalHandler();
  return expireApproval(run, request.approval_id, { answer: 'no_approval_handler' });
}

/**
 * Refuses a paused call whose approval handler threw or answered with something that is not an
 * answer: a `block` with `approval_handler_failed` and an `approval` event of the same name (no human
 * answered, and no timeout happened: a fault in the approval channel, counted apart in the metrics),
 * and a process warning. On a store the request is closed there; an answer stored first by someone
 * else wins.
 */
export function refuseForFailedHandler(
  run: RunCore,
  request: ApprovalRequest,
  error: unknown,
  tool: ToolShape,
): Promise<Decision> {
  // Answered here meanwhile (run.answer while the handler ran): that answer stands.
  const record = run.book.calls.get(request.call_id);
  if (run.book.approvals.get(request.approval_id)?.answered && record?.effective)
    return Promise.resolve(record.effective);
  const detail = `The approval handler failed on ${request.approval_id}: ${describeError(error)}`;
  process.emitWarning(`${detail}. The call was refused (approval_handler_failed).`, {
    code: APPROVAL_HANDLER_FAILED_WARNING,
  });
  return expireAsync(run, request.approval_id, tool, { answer: 'approval_handler_failed', detail });
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.replace(/\.$/, '')}`.slice(0, 500);
  try {
    return String(error).slice(0, 500);
  } catch {
    return 'an error that cannot be read';
  }
}
