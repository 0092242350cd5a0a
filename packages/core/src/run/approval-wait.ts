import type { ApprovalHandler, ApprovalRequest } from '../approvals/approval.js';
import {
  type Answered,
  answer,
  answerAsync,
  expireApproval,
  expireAsync,
  takeStoredAnswer,
} from './approval-desk.js';
import type { ToolShape } from './guard-request.js';
import { completeHandlerAnswer } from './handler-answer.js';
import { refuseForFailedHandler, refuseWithoutHandler } from './no-approval-handler.js';
import { raiseAlert } from './run-alerts.js';
import type { RunCore } from './run-core.js';

/**
 * Waits for the answer to a paused call in `run.execute`: from the approval handler, or (on a store
 * without a handler) from whoever answers in the store, until the approval timeout. A warning goes
 * out at 80% of the timeout. No answer in time is a timeout, never a human denial. With neither a
 * handler nor a store nobody can answer: the call is refused at once as `no_approval_handler`.
 */
export async function awaitApproval(
  run: RunCore,
  request: ApprovalRequest,
  tool: ToolShape,
): Promise<Answered> {
  const warning = warnBeforeExpiry(run, request);
  try {
    return await waitForHuman(run, request, tool, run.settings.approvalHandler);
  } finally {
    clearTimeout(warning);
  }
}

/**
 * Warns before an approval expires: an `approval` event with `expiring`, a span event, and an
 * `approval_expiring` alert to the notifiers, so a person can still answer. At 80% of the timeout.
 */
function warnBeforeExpiry(run: RunCore, request: ApprovalRequest): NodeJS.Timeout {
  const timeout = run.settings.approvalTimeoutMs;
  const timer = setTimeout(
    () => {
      const requestedAt = run.book.approvals.get(request.approval_id)!.requestedAt;
      const expiresAt = new Date(requestedAt + timeout).toISOString();
      run.recorder.approvalEvent(request, 'expiring', { expires_at: expiresAt });
      raiseAlert(
        run,
        {
          alert: 'approval_expiring',
          severity: 'medium',
          message: `Approval ${request.approval_id} for "${request.tool}" expires at ${expiresAt}; unanswered, it will be denied as a timeout.`,
          call_id: request.call_id,
          tool: request.tool,
          evidence: { approval_id: request.approval_id, expires_at: expiresAt },
        },
        run.book.calls.get(request.call_id)?.span,
      );
    },
    Math.floor(timeout * 0.8),
  );
  timer.unref?.();
  return timer;
}

async function waitForHuman(
  run: RunCore,
  request: ApprovalRequest,
  tool: ToolShape,
  handler: ApprovalHandler | undefined,
): Promise<Answered> {
  const { store } = run.settings;
  const argsNow = () => run.book.calls.get(request.call_id)?.args ?? request.args;
  if (store && !handler) {
    // Someone else answers (a console, another process): wait for the store to say so.
    const answered = await store
      .waitForAnswer(run.root.id, request.approval_id, run.settings.approvalTimeoutMs)
      .catch((error) => {
        run.settings.onStoreError(error);
        return undefined;
      });
    if (answered?.answer) return takeStoredAnswer(run, answered, tool);
    return { decision: await expireAsync(run, request.approval_id, tool), args: argsNow() };
  }
  // Nobody to ask and nowhere to answer: refused at once, never recorded as a human timeout.
  if (!handler) return { decision: refuseWithoutHandler(run, request), args: request.args };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), run.settings.approvalTimeoutMs);
  });
  try {
    const given = await Promise.race([
      Promise.resolve()
        .then(() => handler(request, controller.signal))
        // An answer that is not one (wrong shape, another request's hash) fails like a handler that throws.
        .then((value) => completeHandlerAnswer(request, value))
        .catch((error: unknown) => ({ failed: error })),
      timeout,
    ]);
    if (typeof given === 'object' && 'failed' in given) {
      // No human answered and no timeout happened: refused as approval_handler_failed, never a timeout.
      controller.abort();
      return { decision: await refuseForFailedHandler(run, request, given.failed, tool), args: argsNow() };
    }
    if (given === 'timeout') {
      controller.abort();
      const decision = store
        ? await expireAsync(run, request.approval_id, tool)
        : expireApproval(run, request.approval_id);
      return { decision, args: argsNow() };
    }
    return store
      ? answerAsync(run, request.approval_id, given, tool)
      : answer(run, request.approval_id, given, tool);
  } finally {
    clearTimeout(timer);
  }
}
