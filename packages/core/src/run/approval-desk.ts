import { randomUUID } from 'node:crypto';
import { type ApprovalAnswer, ApprovalAnswerSchema, type ApprovalRequest } from '../approvals/approval.js';
import { canonicalJson } from '../canonical-json.js';
import { deepFreeze } from '../deep-freeze.js';
import { ApprovalError, approvalError, formatPath } from '../errors.js';
import type { GateRequest } from '../gate/decide.js';
import { keepOnlyPossiblePromises, type Verdict } from '../gate/verdict.js';
import { REVERSIBILITY_RANK, ReversibilitySchema } from '../manifest/manifest-schema.js';
import type { StoredApproval } from '../stores/run-store.js';
import { snapshotArgs } from './args-snapshot.js';
import { argsOf, type CallRecord } from './call-book.js';
import type { Decision } from './decision.js';
import { askReversibility } from './define-tool.js';
import { admit, evaluate } from './gatekeeper.js';
import { actionHash, type ToolShape } from './guard-request.js';
import { adoptApproval } from './recovery.js';
import type { RunCore } from './run-core.js';
import { claim, evaluateWithStore } from './store-gate.js';

/** A human's answer applied: the decision it leads to and the arguments the call runs with. */
export interface Answered {
  decision: Decision;
  args: unknown;
  /** A human's edit, as given (before the schema parsed it). */
  editedArgs?: unknown;
}

/** Opens the approval request of a paused call, bound to its arguments by the action hash. */
export function openApproval(run: RunCore, decision: Decision, args: unknown): ApprovalRequest {
  const now = run.settings.now();
  // The request is frozen, and its arguments are a copy: whoever answers cannot change what runs.
  const request: ApprovalRequest = deepFreeze({
    approval_id: randomUUID(),
    run_id: run.id,
    agent_id: run.agentId,
    call_id: decision.call_id,
    tool: decision.tool,
    args: copyOf(args),
    decision: decision.decision,
    reasons: decision.reasons,
    confidence: decision.confidence,
    reversibility: decision.reversibility,
    action_hash: actionHash(run.id, decision.call_id, decision.tool, args),
    requested_at: new Date(now).toISOString(),
    allowed_answers: ['approve', 'deny', 'edit'],
    context: {
      task_scope: run.settings.manifest.task_scope,
      maturity_level: run.policy.level,
      ledger: run.ledger.snapshot(),
    },
  });
  const entry = { request, answered: false, requestedAt: now };
  run.book.approvals.set(request.approval_id, entry);
  run.book.approvals.pin(request.approval_id, entry);
  return request;
}

/** In memory: applies a human's answer (see `Run.answer`). */
export function answer(run: RunCore, approvalId: string, value: unknown, tool?: ToolShape): Answered {
  const pending = run.book.approvals.get(approvalId);
  if (!pending) throw approvalError('ERR_APPROVAL_UNKNOWN', approvalId, { where: `run "${run.id}"` });
  const parsed = parseAnswer(approvalId, value);
  const { request } = pending;
  if (parsed.action_hash !== request.action_hash) {
    throw approvalError('ERR_APPROVAL_HASH_MISMATCH', approvalId, {
      given: parsed.action_hash,
      expected: request.action_hash,
    });
  }
  if (pending.answered) throw approvalError('ERR_APPROVAL_ALREADY_ANSWERED', approvalId);
  run.book.markAnswered(pending);
  const applied = applyAnswer(run, request, parsed, tool, run.settings.now() - pending.requestedAt);
  if ('decision' in applied) return applied;
  return finishAnswer(run, request, evaluate(run, applied.gate));
}

/** On a store: the first answer wins across every process (compare-and-set), the re-gate counts there. */
export async function answerAsync(
  run: RunCore,
  approvalId: string,
  value: unknown,
  tool?: ToolShape,
): Promise<Answered> {
  const store = run.settings.store;
  if (!store) return answer(run, approvalId, value, tool);
  const parsed = parseAnswer(approvalId, value);
  const result = await store.answerApproval(run.root.id, approvalId, parsed, run.settings.now());
  if (!result.ok) throw approvalError(storeCode[result.reason], approvalId, { where: 'the store' });
  const { request } = result.approval;
  adoptApproval(run, result.approval);
  run.book.markAnswered(run.book.approvals.get(approvalId)!);
  if (parsed.type === 'approve' && parsed.extend_budget) {
    const { tokens, records, minutes } = parsed.extend_budget;
    await store.extend(run.root.id, run.id, {
      tokens,
      records,
      ms: minutes === undefined ? undefined : minutes * 60_000,
    });
  }
  const applied = applyAnswer(run, request, parsed, tool, run.settings.now() - result.approval.requestedAt);
  if ('decision' in applied) {
    if (applied.decision.decision === 'halt') await store.halt(run.root.id, run.id).catch(() => undefined);
    return applied;
  }
  return finishAnswer(run, request, await evaluateWithStore(run, applied.gate, undefined));
}

/** Applies an answer another process put in the store (it already won the compare-and-set there). */
export async function takeStoredAnswer(
  run: RunCore,
  stored: StoredApproval,
  tool: ToolShape | undefined,
): Promise<Answered> {
  const pending = run.book.approvals.get(stored.request.approval_id);
  if (pending) run.book.markAnswered(pending);
  if (stored.status === 'timeout')
    return { decision: closeUnanswered(run, stored.request, TIMEOUT), args: stored.request.args };
  const waited = (stored.answeredAt ?? run.settings.now()) - stored.requestedAt;
  const applied = applyAnswer(run, stored.request, stored.answer!, tool, waited);
  if ('decision' in applied) return applied;
  return finishAnswer(run, stored.request, await evaluateWithStore(run, applied.gate, undefined));
}

/**
 * How a pause ended without a person's answer: nobody answered in time (`timeout`, a `block` or a
 * `halt` per `onApprovalTimeout`), nobody could be asked (`no_approval_handler`), or the approval
 * handler failed (`approval_handler_failed`, its `detail` naming the error). The last two are a `block`.
 */
export type Unanswered =
  | { readonly answer: 'timeout' }
  | { readonly answer: 'no_approval_handler' }
  | { readonly answer: 'approval_handler_failed'; readonly detail: string };

const TIMEOUT: Unanswered = { answer: 'timeout' };

/** Records that nobody answered a paused call (see `Run.expireApproval`): a timeout unless `how` says otherwise. */
export function expireApproval(run: RunCore, approvalId: string, how: Unanswered = TIMEOUT): Decision {
  const pending = run.book.approvals.get(approvalId);
  if (!pending) throw approvalError('ERR_APPROVAL_UNKNOWN', approvalId, { where: `run "${run.id}"` });
  if (pending.answered) throw approvalError('ERR_APPROVAL_ALREADY_ANSWERED', approvalId);
  run.book.markAnswered(pending);
  return closeUnanswered(run, pending.request, how);
}

/**
 * On a store: the request is closed there (as a timeout: nobody answers it later) only if nobody
 * answered first (then that answer applies).
 */
export async function expireAsync(
  run: RunCore,
  approvalId: string,
  tool?: ToolShape,
  how: Unanswered = TIMEOUT,
): Promise<Decision> {
  const store = run.settings.store;
  if (!store) return expireApproval(run, approvalId, how);
  const result = await store.expireApproval(run.root.id, approvalId, run.settings.now());
  if (!result.ok && result.reason === 'already_answered' && result.approval?.answer)
    return (await takeStoredAnswer(run, result.approval, tool)).decision;
  if (!result.ok && result.reason === 'unknown')
    throw approvalError('ERR_APPROVAL_UNKNOWN', approvalId, { where: 'the store' });
  const pending = run.book.approvals.get(approvalId);
  if (pending) run.book.markAnswered(pending);
  return closeUnanswered(run, (result.ok ? result.approval : result.approval!).request, how);
}

/**
 * For an adapter whose framework resumes by re-running its node (see `Run.resolveApproval`): applied
 * once, claimed on a store; a replay gets the same result; an answer stored first elsewhere wins.
 */
export async function resolveApproval(
  run: RunCore,
  approvalId: string,
  value: unknown,
  tool?: ToolShape,
): Promise<Answered> {
  const pending = run.book.approvals.get(approvalId);
  const record = pending ? run.book.calls.get(pending.request.call_id) : undefined;
  if (record?.effective) return { decision: record.effective, ...argsOf(record) };
  // An answer after the deadline is too late: the request timed out, as if nobody had answered.
  if (
    pending &&
    !pending.answered &&
    run.settings.now() - pending.requestedAt > run.settings.approvalTimeoutMs
  ) {
    const expired = await expireAsync(run, approvalId, tool);
    // Someone may have answered in time through the store: that answer runs once, claimed.
    return settled(run, approvalId, await claim(run, pending.request, expired));
  }
  let answered: Answered;
  try {
    answered = await answerAsync(run, approvalId, value, tool);
  } catch (error) {
    const store = run.settings.store;
    if (!(store && error instanceof ApprovalError && error.code === 'ERR_APPROVAL_ALREADY_ANSWERED'))
      throw error;
    const stored = await store.getApproval(run.root.id, approvalId);
    if (!stored) throw error;
    adoptApproval(run, stored);
    answered = await takeStoredAnswer(run, stored, tool);
  }
  const approval = run.book.approvals.get(approvalId)!.request;
  return settled(run, approvalId, await claim(run, approval, answered.decision));
}

/** Records how an approval ended without an answer (the store, if any, has already agreed). */
function closeUnanswered(run: RunCore, request: ApprovalRequest, how: Unanswered): Decision {
  const requestedAt = run.book.approvals.get(request.approval_id)?.requestedAt ?? run.settings.now();
  const record = run.book.calls.get(request.call_id)!;
  run.book.calls.unpin(request.call_id);
  run.recorder.answered(record, request, how.answer, { waitedMs: run.settings.now() - requestedAt });
  if (how.answer !== 'timeout')
    return run.refuse(
      record,
      'block',
      how.answer,
      how.answer === 'approval_handler_failed' ? { detail: how.detail } : {},
    );
  const halts = run.settings.onApprovalTimeout === 'halt';
  if (halts) run.markHalted();
  return run.refuse(record, halts ? 'halt' : 'block', 'approval_timeout');
}

/** Records a human's answer and says what follows: a final decision, or a re-gate (approve, valid edit). */
function applyAnswer(
  run: RunCore,
  request: ApprovalRequest,
  value: ApprovalAnswer,
  tool: ToolShape | undefined,
  waitedMs: number,
): Answered | { gate: GateRequest } {
  const record = run.book.calls.get(request.call_id)!;
  run.book.calls.unpin(request.call_id);
  run.recorder.answered(record, request, value.type, {
    approver: value.approver,
    comment: value.comment,
    waitedMs,
    ...(value.type === 'edit' ? { input: value.args } : {}),
  });
  if (value.type === 'deny') {
    const effective = run.refuse(record, value.stop_run ? 'halt' : 'block', 'approval_denied', {
      comment: value.comment,
    });
    if (value.stop_run) run.markHalted();
    return { decision: effective, args: record.args };
  }
  if (value.type === 'approve' && value.extend_budget) run.ledger.extend(value.extend_budget);
  // The call runs now: a time-dependent tier that became stricter while it waited applies.
  if (value.type === 'approve' && tool?.reversibility)
    record.hookTier = stricterAnswer(
      record.hookTier,
      askReversibility(tool, record.args as never, run.settings.now()),
    );
  if (value.type === 'edit') {
    const refused = applyEdit(run, record, value.args, tool);
    if (refused) return refused;
  }
  return {
    gate: {
      tool: request.tool,
      confidence: request.confidence ?? undefined,
      records: record.records,
      resource: record.resource,
      approved: true,
      args: record.args,
      reversibility: record.hookTier,
    },
  };
}

/** An edit is re-validated with the tool's schema; its records and resource are counted anew. */
function applyEdit(
  run: RunCore,
  record: CallRecord,
  args: unknown,
  tool: ToolShape | undefined,
): Answered | undefined {
  if (!tool) {
    const detail = 'An edit needs the tool (its input schema) to re-validate the edited arguments.';
    return { decision: run.refuse(record, 'block', 'input_invalid', { detail }), args: record.args };
  }
  const edited = tool.input.safeParse(args);
  if (!edited.success) {
    const issue = edited.error.issues[0]!;
    const detail = `Edited input invalid at ${formatPath(issue.path)}: ${issue.message}.`;
    return { decision: run.refuse(record, 'block', 'input_invalid', { detail }), args };
  }
  // Read once, like a call's own arguments: the tool runs with exactly what was re-gated.
  const read = snapshotArgs(edited.data);
  if (!read.ok) {
    const detail = `Edited input unsupported at ${read.detail}.`;
    return { decision: run.refuse(record, 'block', 'input_unsupported', { detail }), args: record.args };
  }
  record.args = read.args;
  record.editedArgs = args;
  record.records = tool.records?.(read.args as never) ?? record.records;
  record.resource = tool.resource ? tool.resource(read.args as never) : record.resource;
  if (tool.reversibility) record.hookTier = askReversibility(tool, read.args as never, run.settings.now());
  return undefined;
}

/**
 * The hook's answer for an approved call: the one it gave when the call paused, unless it now answers
 * a stricter tier (both valid tiers). Never more lenient than the answer the person saw.
 */
function stricterAnswer(before: unknown, now: unknown): unknown {
  const was = ReversibilitySchema.safeParse(before);
  const is = ReversibilitySchema.safeParse(now);
  if (!was.success || !is.success) return before;
  return REVERSIBILITY_RANK[is.data] > REVERSIBILITY_RANK[was.data] ? is.data : was.data;
}

/** The re-gated decision of an approved (or edited) call, counted. */
function finishAnswer(run: RunCore, request: ApprovalRequest, verdict: Verdict): Answered {
  const record = run.book.calls.get(request.call_id)!;
  const effective = run.stamp(request.call_id, request.tool, keepOnlyPossiblePromises(verdict));
  admit(run, effective, record.records, record.resource);
  record.effective = effective;
  return { decision: effective, args: record.args };
}

/** A resolved approval: the decision, the arguments it runs with, and a human's edit as given. */
function settled(run: RunCore, approvalId: string, decision: Decision): Answered {
  return { decision, ...argsOf(run.book.recordOf(approvalId)!) };
}

/**
 * An answer, validated at the edge.
 *
 * @throws ApprovalAnswerInvalidError naming the field that is wrong.
 */
export function parseAnswer(approvalId: string, value: unknown): ApprovalAnswer {
  const parsed = ApprovalAnswerSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw approvalError('ERR_APPROVAL_ANSWER_INVALID', approvalId, {
    problem: `${formatPath(issue.path)}: ${issue.message}`,
  });
}

const storeCode = {
  unknown: 'ERR_APPROVAL_UNKNOWN',
  already_answered: 'ERR_APPROVAL_ALREADY_ANSWERED',
  hash_mismatch: 'ERR_APPROVAL_HASH_MISMATCH',
} as const;

/** A copy of a call's arguments for its approval request (structured clone, else their canonical JSON). */
function copyOf(args: unknown): unknown {
  try {
    return structuredClone(args);
  } catch {
    return args === undefined ? undefined : JSON.parse(canonicalJson(args));
  }
}
