import type { StoredAction, StoredApproval } from '../stores/run-store.js';
import type { CallRecord } from './call-book.js';
import type { Decision } from './decision.js';
import type { RunCore } from './run-core.js';

/**
 * A run taken up from the store may meet a call that paused in another process (a framework
 * resuming a checkpointed thread after a restart): its stored approval is adopted, so the call is
 * answered, not decided (and recorded) a second time. A write that ran elsewhere is not run again.
 */
export async function recover(
  run: RunCore,
  callId: string,
  tool: string,
  args: unknown,
): Promise<Decision | undefined> {
  const store = run.settings.store!;
  let stored: StoredApproval | undefined;
  let executed: StoredAction | undefined;
  try {
    // Read for each call this process has not seen: another process may have decided it at any time.
    const approvals = await store.listApprovals(run.root.id, {
      runId: run.id,
      statuses: ['pending', 'approved', 'denied', 'edited', 'timeout', 'executing', 'done'],
    });
    stored = approvals.find((approval) => approval.request.call_id === callId);
    if (!stored) {
      const actions = await store.listActions(run.root.id, run.id);
      executed = actions.find((action) => action.callId === callId);
    }
  } catch (error) {
    // Without the store nothing can be decided safely either: the decision path fails closed next.
    run.settings.onStoreError(error);
    return undefined;
  }
  if (stored) {
    adoptApproval(run, stored);
    const record = run.book.calls.get(callId)!;
    // It was approved and ran (or is running) elsewhere: it is not asked for, nor run, again.
    if ((stored.status === 'executing' || stored.status === 'done') && !record.effective)
      run.refuse(record, 'block', 'already_executed');
    return run.book.known(run.id, callId, tool, { ok: true, args });
  }
  if (!executed) return undefined;
  // A write that ran without a pause in another process (its action is in the compensation log).
  const decision = run.stamp(callId, executed.tool, { decision: 'proceed', reasons: [], confidence: null });
  run.book.calls.set(callId, {
    decision,
    requestArgs: args,
    args,
    records: 0,
    resource: executed.resource,
    outcome: true,
    span: run.recorder.span,
  });
  return run.book.known(run.id, callId, tool, { ok: true, args });
}

/** Takes in an approval another process raised (or this one, before a restart). */
export function adoptApproval(run: RunCore, stored: StoredApproval): void {
  const { request } = stored;
  const { book } = run;
  if (!book.approvals.has(request.approval_id)) {
    const entry = { request, answered: stored.status !== 'pending', requestedAt: stored.requestedAt };
    book.approvals.set(request.approval_id, entry);
    if (!entry.answered) book.approvals.pin(request.approval_id, entry);
  }
  if (book.calls.get(request.call_id)) return;
  const decision: Decision = Object.freeze({
    decision: 'pause',
    reasons: [...request.reasons],
    confidence: request.confidence,
    run_id: run.id,
    agent_id: run.agentId,
    call_id: request.call_id,
    tool: request.tool,
    reversibility: request.reversibility,
    manifest_digest: run.policy.digest,
    maturity_level: run.policy.level,
    approval: request,
  });
  const record: CallRecord = {
    decision,
    requestArgs: request.args,
    args: request.args,
    records: 0,
    resource: undefined,
    outcome: false,
    span: run.recorder.span,
  };
  book.calls.set(request.call_id, record);
  if (stored.status === 'pending') book.calls.pin(request.call_id, record);
}
