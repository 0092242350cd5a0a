import { CallDuplicateError } from '../errors.js';
import type { GateRequest } from '../gate/decide.js';
import { keepOnlyPossiblePromises, type Verdict } from '../gate/verdict.js';
import { openApproval } from './approval-desk.js';
import { type ArgsSnapshot, snapshotArgs } from './args-snapshot.js';
import type { CallRecord } from './call-book.js';
import type { Decision } from './decision.js';
import { admit, evaluate } from './gatekeeper.js';
import { checkCounts, type GuardRequest } from './guard-request.js';
import { recover } from './recovery.js';
import { checkDecisionAlerts } from './run-alerts.js';
import type { RunCore } from './run-core.js';
import { evaluateWithStore, putPending } from './store-gate.js';

/**
 * In memory: decides one call and records the decision in one synchronous step (see `Run.guard`).
 * `read`: the arguments already read by `snapshotArgs` (`execute` reads the model's raw arguments first).
 */
export function guard(run: RunCore, request: GuardRequest, read?: ArgsSnapshot): Decision {
  checkCounts(request);
  // Read once, before anything is counted: the hash, the audit log and the tool see these values.
  const args = read ?? snapshotArgs(request.args);
  const callId = request.callId ?? run.nextCallId();
  const known = run.book.known(run.id, callId, request.tool, args);
  if (known) return known;
  const gate = gateOf(run, request, args);
  return settle(run, callId, request, args, evaluate(run, gate), gate.records);
}

/** On a shared store: decides one call, checked and counted in the store (see `Run.guardAsync`). */
export async function guardAsync(
  run: RunCore,
  request: GuardRequest,
  read?: ArgsSnapshot,
): Promise<Decision> {
  if (!run.settings.store) return guard(run, request, read);
  checkCounts(request);
  const args = read ?? snapshotArgs(request.args);
  const callId = request.callId ?? run.nextCallId();
  if (run.deciding.has(callId)) throw new CallDuplicateError(run.id, callId, 'deciding');
  // Only a caller's call id (a framework's) names the same call in another process; generated ones are local.
  const known =
    request.callId === undefined
      ? run.book.known(run.id, callId, request.tool, args)
      : await recorded(run, callId, request.tool, args, request);
  if (known) return known;
  const gate = gateOf(run, request, args);
  run.deciding.add(callId);
  try {
    const verdict = await evaluateWithStore(run, gate, request);
    const decision = settle(run, callId, request, args, verdict, gate.records);
    return decision.approval ? await putPending(run, decision) : decision;
  } finally {
    run.deciding.delete(callId);
  }
}

/**
 * The recorded decision of a call, never a new one: in this process, or (a run taken up from a
 * store) the approval or action another process recorded for it. `undefined` for a call never decided.
 *
 * @throws CallIdReusedError when the id was used for another tool or other arguments.
 */
export function recall(run: RunCore, request: GuardRequest): Promise<Decision | undefined> {
  const { callId } = request;
  if (callId === undefined) return Promise.resolve(undefined);
  return recorded(run, callId, request.tool, snapshotArgs(request.args), request);
}

/**
 * What this process recorded for a call, or (a run taken up from a store) what another process did.
 * A call adopted from the store takes the replayed request's records, resource and hook answer (its
 * arguments are the stored ones, or `CallIdReusedError`), so its re-gate counts and tiers it as the
 * process that paused it did.
 */
async function recorded(
  run: RunCore,
  callId: string,
  tool: string,
  args: ArgsSnapshot,
  request: GuardRequest,
): Promise<Decision | undefined> {
  const known = run.book.known(run.id, callId, tool, args);
  if (known || !run.settings.store || !run.resumed || !args.ok) return known;
  const usable = request.inputError === undefined;
  return recover(run, callId, tool, args.args, {
    records: usable ? request.records : undefined,
    resource: usable ? request.resource : undefined,
    reversibility: usable ? request.reversibility : undefined,
  });
}

/** The gate's view of a new call; the call's tokens are added to the run (and its ancestors) first. */
function gateOf(run: RunCore, request: GuardRequest, args: ArgsSnapshot): GateRequest {
  if (request.tokens !== undefined && request.tokens > 0) run.addTokens(request.tokens);
  return {
    tool: request.tool,
    confidence: request.confidence as number | undefined,
    // Arguments that cannot be read have no records or resource to trust.
    records: args.ok ? (request.records ?? 0) : 0,
    resource: args.ok ? request.resource : undefined,
    approved: false,
    inputInvalid: request.inputError !== undefined || !args.ok,
    args: args.ok ? args.args : undefined,
    reversibility: args.ok ? request.reversibility : undefined,
  };
}

/** Records a decided call: the decision, the count, the approval request, the span, the audit event, the alerts. */
function settle(
  run: RunCore,
  callId: string,
  request: GuardRequest,
  args: ArgsSnapshot,
  verdict: Verdict,
  records: number,
): Decision {
  let detail = request.inputError;
  if (!args.ok) {
    // What cannot be hashed or recorded is refused, whatever else is wrong with it.
    detail = args.detail;
    if (verdict.decision !== 'halt') {
      verdict.decision = 'block';
      verdict.reasons = ['input_unsupported'];
    }
  } else if (detail !== undefined && verdict.decision !== 'halt') {
    verdict.decision = 'block';
    verdict.reasons = ['input_invalid'];
  }
  let decision = run.stamp(callId, request.tool, keepOnlyPossiblePromises(verdict), detail);
  const resource = args.ok ? request.resource : undefined;
  admit(run, decision, records, resource);
  const value = args.ok ? args.args : undefined;
  const record: CallRecord = {
    decision,
    requestArgs: value,
    args: value,
    records,
    resource,
    outcome: false,
    span: run.recorder.callSpan(request.tool),
    unsupported: args.ok ? undefined : args.detail,
    hookTier: args.ok ? request.reversibility : undefined,
  };
  run.book.calls.set(callId, record);
  if (decision.decision === 'pause') {
    decision = Object.freeze({ ...decision, approval: openApproval(run, decision, value) });
    record.decision = decision;
    run.book.calls.pin(callId, record); // a call waiting for a human is never forgotten
  }
  run.recorder.decided(record, request);
  checkDecisionAlerts(run, decision, record.span);
  return decision;
}
