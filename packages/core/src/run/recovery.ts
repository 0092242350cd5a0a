import { canonicalJson } from '../canonical-json.js';
import { CallIdReusedError } from '../errors.js';
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
  facts?: CallFacts,
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
    // Another tool or other arguments under the stored call's id: refused before anything is adopted,
    // so the replay lends the stored call neither its resource nor its tier.
    if (
      stored.request.tool !== tool ||
      canonicalJson(stored.request.args ?? null) !== canonicalJson(args ?? null)
    )
      throw new CallIdReusedError(run.id, callId);
    adoptApproval(run, stored, facts);
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

/**
 * What the replayed call says of itself besides its arguments (which must match the stored request):
 * the records and the resource its tool computes, and its tool's `reversibility()` answer. An adopted
 * call is re-gated with them when it is answered, so a per-resource limit, the records budget and a
 * stricter tier from the hook hold in this process as they did in the one that paused it.
 */
export interface CallFacts {
  readonly records?: number | undefined;
  readonly resource?: string | undefined;
  readonly reversibility?: unknown;
}

/**
 * Takes in an approval another process raised (or this one, before a restart). `facts`: what the
 * replayed call says of its records, resource and tier (without them, none is known here).
 */
export function adoptApproval(run: RunCore, stored: StoredApproval, facts?: CallFacts): void {
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
    records: facts?.records ?? 0,
    resource: facts?.resource,
    outcome: false,
    span: run.recorder.span,
    hookTier: facts?.reversibility,
  };
  book.calls.set(request.call_id, record);
  if (stored.status === 'pending') book.calls.pin(request.call_id, record);
}
