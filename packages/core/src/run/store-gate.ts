import type { ApprovalRequest } from '../approvals/approval.js';
import { RunManifestChangedError, RunStateLostError } from '../errors.js';
import { decide, type GateRequest, type GateState } from '../gate/decide.js';
import { applyLimits, bitsOf } from '../gate/limits.js';
import { resourceTypeOf } from '../gate/policy.js';
import { SEVERITY } from '../gate/reason-codes.js';
import { isWrite } from '../gate/tier.js';
import { halt, isValidConfidence, raise, type Verdict } from '../gate/verdict.js';
import {
  type RunLimits,
  type RunStore,
  STORED_OUTPUT_MAX_CHARS,
  type StartRunResult,
} from '../stores/run-store.js';
import type { Decision } from './decision.js';
import { type GuardRequest, runs } from './guard-request.js';
import type { RunCore, StartRefusal } from './run-core.js';

/**
 * Every rule of a run on a shared store (SQLite, Redis), in one place, and every one fails closed:
 * the counts are checked and taken in one atomic step in the store; an unreachable store blocks
 * writes (`store_unavailable`) and reads follow `storeDownReads`; a pause nobody else can see is
 * refused; an approved call runs once across every process (claimed).
 */

/**
 * The decision on a shared store: the parts that need no counts here (token, boundary, confidence,
 * tier, maturity level), then one atomic check-and-count in the store for every run of the chain,
 * read with the same limit rules as in memory.
 */
export async function evaluateWithStore(
  run: RunCore,
  gate: GateRequest,
  request: GuardRequest | undefined,
): Promise<Verdict> {
  const store = run.settings.store!;
  const refused = run.checkToken(gate.confidence);
  if (refused) return refused;
  // A halt this process knows of (stop, timeout, a halted ancestor) stops the call before the store is asked.
  if (run.lineage.some((each) => each.halted)) {
    const confidence = isValidConfidence(gate.confidence) ? gate.confidence : null;
    return { decision: 'halt', reasons: ['run_halted'], confidence };
  }
  const verdict = decide(run.policy, gate, UNCOUNTED);
  const tool = run.policy.tools.get(gate.tool);
  if (verdict.decision === 'halt' || !tool || gate.inputInvalid === true) {
    if (verdict.decision === 'halt') await store.halt(run.root.id, run.id).catch(run.settings.onStoreError);
    return verdict;
  }
  const admits = runs(verdict);
  const resourceType = gate.resource === undefined ? undefined : resourceTypeOf(gate.resource);
  try {
    // Revocations made in other processes: read at most once per staleness window, before anything is counted.
    const stale = run.settings.revocations?.refresh();
    if (stale) {
      await stale;
      const revoked = run.checkToken(gate.confidence);
      if (revoked) return revoked;
    }
    const refused = await ensureStarted(run, store);
    if (refused) {
      // The store lost the run, or holds it under another manifest: it stops here, never starts afresh.
      run.ledger.halted = true;
      return halt(verdict, refused.reason);
    }
    const result = await store.admit({
      treeId: run.root.id,
      chain: limitsChain(run, gate.tool),
      tool: gate.tool,
      ...(gate.resource === undefined ? {} : { resource: gate.resource }),
      records: gate.records,
      tokens: request?.tokens ?? 0,
      ...(resourceType === undefined
        ? {}
        : { resourceType, resourceTypeKnown: run.policy.knownResourceTypes?.has(resourceType) ?? true }),
      count: admits,
      // An approved call has its human's consent; escalation tools pass soft budgets, as in memory.
      approved: gate.approved,
      escalation: tool.escalation,
      now: run.settings.now(),
    });
    if (applyLimits(verdict, bitsOf(result), run.policy.budgetMode === 'hard', tool.escalation, gate.records))
      return verdict;
    if (gate.approved && verdict.decision === 'pause') verdict.decision = 'proceed_with_log';
    if (admits && !result.admitted && SEVERITY[verdict.decision] < SEVERITY.pause)
      raise(verdict, 'block', 'store_unavailable');
    return verdict;
  } catch (error) {
    run.settings.onStoreError(error);
    if ((verdict.tier ?? tool.reversibility) === 'read_only' && run.settings.storeDownReads === 'allow')
      return verdict;
    verdict.reasons = [...verdict.reasons, 'store_unavailable'];
    if (SEVERITY[verdict.decision] < SEVERITY.block) verdict.decision = 'block';
    return verdict;
  }
}

/**
 * Stores a paused call's request so that anyone (a console, another process) can answer it. A pause
 * nobody else can see cannot be answered: when the store refuses it, the call is blocked.
 */
export async function putPending(run: RunCore, decision: Decision): Promise<Decision> {
  const approval = decision.approval!;
  const now = run.settings.now();
  try {
    await run.settings.store!.putApproval(run.root.id, {
      treeId: run.root.id,
      request: approval,
      status: 'pending',
      requestedAt: now,
      expiresAt: now + run.settings.approvalTimeoutMs,
    });
    return decision;
  } catch (error) {
    run.settings.onStoreError(error);
    const record = run.book.calls.get(decision.call_id)!;
    run.book.approvals.delete(approval.approval_id);
    run.book.calls.unpin(decision.call_id);
    record.waitSpan?.end();
    return run.refuse(record, 'block', 'store_unavailable');
  }
}

/**
 * On a shared store, an approved call runs exactly once across every process: the first to claim it
 * runs it; any other gets `block` with `already_executed`. In memory, the decision as it is.
 */
export async function claim(run: RunCore, approval: ApprovalRequest, decision: Decision): Promise<Decision> {
  const store = run.settings.store;
  if (!store || !runs(decision)) return decision;
  let claimed: boolean;
  try {
    claimed = await store.claimExecution(run.root.id, approval.approval_id);
  } catch (error) {
    run.settings.onStoreError(error);
    return run.refuse(run.book.calls.get(decision.call_id)!, 'block', 'store_unavailable');
  }
  if (claimed) return decision;
  return run.refuse(run.book.calls.get(decision.call_id)!, 'block', 'already_executed');
}

/** On a shared store: the claimed approval is done, and the action joins the compensation log. */
export async function persistExecuted(
  run: RunCore,
  decision: Decision,
  approval: ApprovalRequest | undefined,
  result: { status: 'executed'; output: unknown } | { status: 'error' },
): Promise<void> {
  const store = run.settings.store;
  if (!store) return;
  const record = run.book.calls.get(decision.call_id);
  try {
    if (approval) await store.completeExecution(run.root.id, approval.approval_id);
    if (isWrite(decision.reversibility)) {
      await store.appendAction(run.root.id, run.id, {
        callId: decision.call_id,
        tool: decision.tool,
        reversibility: decision.reversibility,
        ...(record?.resource === undefined ? {} : { resource: record.resource }),
        agentId: run.agentId,
        ...(result.status === 'error' ? { status: 'error' as const } : {}),
        ...kept('args', record?.args),
        ...(result.status === 'executed' ? keptOutput(result.output) : {}),
      });
    }
  } catch (error) {
    run.settings.onStoreError(error);
  }
}

/** The limits of this call in this run and each ancestor (budgets roll up). */
function limitsChain(run: RunCore, tool: string): RunLimits[] {
  return run.lineage.map(({ id, policy }) => ({
    runId: id,
    maxCalls: policy.tools.get(tool)?.maxCalls,
    maxCallsPerResource: policy.tools.get(tool)?.maxCallsPerResource,
    maxTokens: policy.maxTokens,
    maxRecords: policy.maxRecordsPerRun,
    timeLimitMs: policy.timeLimitMs,
  }));
}

/**
 * Registers this run and its ancestors in the store once, after the manifest's version: a new run
 * writes its record, a resumed one needs it (resuming keeps the counts). Resolves to the reason the
 * store refused the run, if it did; rejects when the store cannot be reached (tried again at the next call).
 */
export function ensureStarted(run: RunCore, store: RunStore): Promise<StartRefusal | undefined> {
  if (!run.started) {
    const ttlMs = Math.max(24 * 3_600_000, (run.policy.timeLimitMs ?? 0) * 2);
    const mode = run.resumed && !run.startIfMissing ? 'resume' : 'start';
    const record = {
      treeId: run.root.id,
      runId: run.id,
      startedAt: run.startedAt,
      manifestDigest: run.settings.policy.digest,
    };
    const started = Promise.all([
      run.parent ? ensureStarted(run.parent, store) : undefined,
      run.settings.checkManifest(),
    ]).then(
      async ([parent, manifest]) =>
        parent ?? manifest ?? refusalOf(run, await store.startRun(record, { mode, ttlMs })),
    );
    run.started = started;
    started.catch(() => {
      if (run.started === started) run.started = undefined; // try again at the next call
    });
  }
  return run.started;
}

/** `run.ready()`: the run's start in the store; a refusal halts the run and throws its error. */
export async function whenStarted(run: RunCore): Promise<void> {
  const store = run.settings.store;
  if (!store) return;
  const refused = await ensureStarted(run, store);
  if (refused) {
    run.ledger.halted = true;
    throw refused.error;
  }
}

/** What an outcome of `startRun` means for the run: nothing, or why it halts. */
function refusalOf(run: RunCore, outcome: StartRunResult): StartRefusal | undefined {
  if (outcome === 'state_lost') return { reason: 'run_state_lost', error: new RunStateLostError(run.id) };
  if (outcome === 'manifest_changed') {
    return {
      reason: 'run_manifest_changed',
      error: new RunManifestChangedError(run.id, run.settings.policy.digest),
    };
  }
  return undefined;
}

/** A state with nothing counted: on a shared store, the counts are checked in the store instead. */
const UNCOUNTED: GateState = {
  halted: false,
  callsOf: () => 0,
  callsOn: () => 0,
  tokens: 0,
  records: 0,
  elapsedMs: 0,
  hasSeenResourceType: () => true,
  extraTokens: 0,
  extraRecords: 0,
  extraMs: 0,
};

/** A value as JSON for the compensation log, or nothing when it is not JSON. */
function kept(key: 'args' | 'output', value: unknown): { args?: unknown; output?: unknown } {
  if (value === undefined) return {};
  try {
    const text = JSON.stringify(value);
    return text === undefined ? {} : { [key]: JSON.parse(text) };
  } catch {
    return {};
  }
}

/** A call's output for its undo, when it can be kept (JSON, at most `STORED_OUTPUT_MAX_CHARS`). */
function keptOutput(output: unknown): { output?: unknown; outputKept?: boolean } {
  if (output === undefined) return {};
  let text: string | undefined;
  try {
    text = JSON.stringify(output);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.length > STORED_OUTPUT_MAX_CHARS) return { outputKept: false };
  return { output: JSON.parse(text) };
}
