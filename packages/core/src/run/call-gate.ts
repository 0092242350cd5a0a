import { CallDuplicateError } from '../errors.js';
import type { GateRequest } from '../gate/decide.js';
import type { Verdict } from '../gate/verdict.js';
import { openApproval } from './approval-desk.js';
import type { CallRecord } from './call-book.js';
import type { Decision } from './decision.js';
import { admit, evaluate } from './gatekeeper.js';
import { checkCounts, type GuardRequest } from './guard-request.js';
import { recover } from './recovery.js';
import { checkDecisionAlerts } from './run-alerts.js';
import type { RunCore } from './run-core.js';
import { evaluateWithStore, putPending } from './store-gate.js';

/** In memory: decides one call and records the decision in one synchronous step (see `Run.guard`). */
export function guard(run: RunCore, request: GuardRequest): Decision {
  checkCounts(request);
  const callId = request.callId ?? run.nextCallId();
  const known = run.book.known(run.id, callId, request.tool, request.args);
  if (known) return known;
  const gate = gateOf(run, request);
  return settle(run, callId, request, evaluate(run, gate), gate.records);
}

/** On a shared store: decides one call, checked and counted in the store (see `Run.guardAsync`). */
export async function guardAsync(run: RunCore, request: GuardRequest): Promise<Decision> {
  if (!run.settings.store) return guard(run, request);
  checkCounts(request);
  const callId = request.callId ?? run.nextCallId();
  if (run.deciding.has(callId)) throw new CallDuplicateError(run.id, callId, 'deciding');
  // Only a caller's call id (a framework's) names the same call in another process; generated ones are local.
  const known =
    run.book.known(run.id, callId, request.tool, request.args) ??
    (run.resumed && request.callId !== undefined ? await recover(run, callId, request) : undefined);
  if (known) return known;
  const gate = gateOf(run, request);
  run.deciding.add(callId);
  try {
    const decision = settle(run, callId, request, await evaluateWithStore(run, gate, request), gate.records);
    return decision.approval ? await putPending(run, decision) : decision;
  } finally {
    run.deciding.delete(callId);
  }
}

/** The gate's view of a new call; the call's tokens are added to the run (and its ancestors) first. */
function gateOf(run: RunCore, request: GuardRequest): GateRequest {
  if (request.tokens !== undefined && request.tokens > 0) run.addTokens(request.tokens);
  return {
    tool: request.tool,
    confidence: request.confidence as number | undefined,
    records: request.records ?? 0,
    resource: request.resource,
    approved: false,
    inputInvalid: request.inputError !== undefined,
  };
}

/** Records a decided call: the decision, the count, the approval request, the span, the audit event, the alerts. */
function settle(
  run: RunCore,
  callId: string,
  request: GuardRequest,
  verdict: Verdict,
  records: number,
): Decision {
  if (request.inputError !== undefined && verdict.decision !== 'halt') {
    verdict.decision = 'block';
    verdict.reasons = ['input_invalid'];
  }
  let decision = run.stamp(callId, request.tool, verdict, request.inputError);
  admit(run, decision, records, request.resource);
  const record: CallRecord = {
    decision,
    requestArgs: request.args,
    args: request.args,
    records,
    resource: request.resource,
    outcome: false,
    span: run.recorder.callSpan(request.tool),
  };
  run.book.calls.set(callId, record);
  if (decision.decision === 'pause') {
    decision = Object.freeze({ ...decision, approval: openApproval(run, decision, request.args) });
    record.decision = decision;
    run.book.calls.pin(callId, record); // a call waiting for a human is never forgotten
  }
  run.recorder.decided(record, request);
  checkDecisionAlerts(run, decision, record.span);
  return decision;
}
