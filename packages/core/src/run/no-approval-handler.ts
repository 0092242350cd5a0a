import type { ApprovalRequest } from '../approvals/approval.js';
import type { Decision } from './decision.js';
import type { RunCore } from './run-core.js';

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
  const pending = run.book.approvals.get(request.approval_id)!;
  run.book.markAnswered(pending);
  const record = run.book.calls.get(request.call_id)!;
  run.book.calls.unpin(request.call_id);
  run.recorder.answered(record, request, 'no_approval_handler', {
    waitedMs: run.settings.now() - pending.requestedAt,
  });
  return run.refuse(record, 'block', 'no_approval_handler');
}
