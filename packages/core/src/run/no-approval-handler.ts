import type { ApprovalRequest } from '../approvals/approval.js';
import type { StoredApproval } from '../stores/run-store.js';
import type { Answered } from './approval-desk.js';
import type { Decision } from './decision.js';
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
  const pending = run.book.approvals.get(request.approval_id)!;
  run.book.markAnswered(pending);
  const record = run.book.calls.get(request.call_id)!;
  run.book.calls.unpin(request.call_id);
  run.recorder.answered(record, request, 'no_approval_handler', {
    waitedMs: run.settings.now() - pending.requestedAt,
  });
  return run.refuse(record, 'block', 'no_approval_handler');
}

/**
 * Refuses a paused call whose approval handler threw or answered with something that is not an
 * answer: a `block` with `approval_handler_failed` and an `approval` event of the same name (no human
 * answered, and no timeout happened: a fault in the approval channel, counted apart in the metrics).
 * On a store the request is closed first (as a timeout there, so nobody answers it later); an answer
 * stored first by someone else wins.
 */
export async function refuseForFailedHandler(
  run: RunCore,
  request: ApprovalRequest,
  error: unknown,
  takeStored: (approval: StoredApproval) => Promise<Answered>,
): Promise<Answered> {
  const { store } = run.settings;
  if (store) {
    const result = await store.expireApproval(run.root.id, request.approval_id, run.settings.now());
    if (!result.ok && result.reason === 'already_answered' && result.approval?.answer)
      return takeStored(result.approval);
  }
  const pending = run.book.approvals.get(request.approval_id)!;
  const record = run.book.calls.get(request.call_id)!;
  if (pending.answered && record.effective) return { decision: record.effective, args: record.args };
  run.book.markAnswered(pending);
  run.book.calls.unpin(request.call_id);
  const detail = `The approval handler failed on ${request.approval_id}: ${describeError(error)}`;
  process.emitWarning(`${detail}. The call was refused (approval_handler_failed).`, {
    code: APPROVAL_HANDLER_FAILED_WARNING,
  });
  run.recorder.answered(record, request, 'approval_handler_failed', {
    waitedMs: run.settings.now() - pending.requestedAt,
  });
  return { decision: run.refuse(record, 'block', 'approval_handler_failed', { detail }), args: record.args };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.replace(/\.$/, '')}`.slice(0, 500);
  try {
    return String(error).slice(0, 500);
  } catch {
    return 'an error that cannot be read';
  }
}
