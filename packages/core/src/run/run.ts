import type { RunAlert } from '../alerts/alert.js';
import type { ApprovalRequest } from '../approvals/approval.js';
import { compensate, type RollbackReport } from '../compensation/rollback.js';
import { ArgumentInvalidError } from '../errors.js';
import type { Policy } from '../gate/policy.js';
import type { DelegationRequest, TokenScope } from '../trust/token-scope.js';
import {
  type Answered,
  answer,
  answerAsync,
  expireApproval,
  expireAsync,
  resolveApproval,
} from './approval-desk.js';
import { guard, guardAsync, recall } from './call-gate.js';
import type { Decision } from './decision.js';
import type { ToolDefinition } from './define-tool.js';
import { delegate, revoke } from './delegation.js';
import {
  execute,
  type Outcome,
  type PerformOptions,
  perform,
  recordOutcome,
  resumeApproved,
} from './executor.js';
import { type CallResult, type GuardRequest, isCount, runs, type ToolShape } from './guard-request.js';
import { raiseAlert } from './run-alerts.js';
import { RunCore, type RunOptions } from './run-core.js';
import type { RunSettings } from './run-settings.js';
import { ensureStarted, whenStarted } from './store-gate.js';

/** What `run.delegate()` gives back: the decision, and on success the token and the sub-agent's run. */
export interface DelegationResult {
  readonly decision: Decision;
  /** The compact JWT for the sub-agent (hand it to a sub-agent in another process). */
  readonly token?: string;
  /** The sub-agent's run, bound to the token: its calls count against its scope and every ancestor. */
  readonly run?: Run;
  /** The scope the token carries (frozen). */
  readonly scope?: TokenScope;
}

/** A read-only view of a run's ledger: what it has used so far. */
export interface LedgerView {
  readonly halted: boolean;
  readonly tokens: number;
  readonly records: number;
  readonly elapsedMs: number;
  /** Calls of `tool` counted in this run. */
  callsOf(tool: string): number;
}

/** Reads a run's private core, inside this module only. */
let coreOf: (run: Run) => RunCore;

/** Only this module opens runs: `new Run` from outside throws. */
const OPEN = Symbol('orbit.run.open');

/**
 * One execution of one agent: its id, policy, ledger and audit trail. Every tool call passes `guard`
 * (or `guardAsync` on a store); `execute` runs the whole flow for a tool ORBIT knows (guard →
 * approval if paused → tool → outcome). A run's state lives in a private core: nothing a caller can
 * reach changes a decision. Runs are opened by `orbit.startRun()` / `orbit.resumeRun()` and by
 * `run.delegate()`.
 */
export class Run {
  readonly #core: RunCore;

  static {
    coreOf = (run) => run.#core;
  }

  /** @internal Use `orbit.startRun()`. */
  constructor(core: RunCore, key: typeof OPEN) {
    if (key !== OPEN)
      throw new ArgumentInvalidError('Runs are opened with orbit.startRun() or orbit.resumeRun().');
    this.#core = core;
    // On the core itself (not a WeakMap: its entries outlive the run until a full collection).
    core.facade = this;
  }

  get id(): string {
    return this.#core.id;
  }
  get parentId(): string | null {
    return this.#core.parentId;
  }
  get agentId(): string {
    return this.#core.agentId;
  }
  /** The policy this run decides with: its manifest's, or the scope of its trust token (read-only). */
  get policy(): Policy {
    return this.#core.policyView;
  }
  /** What this run may do and delegate (frozen). */
  get scope(): TokenScope {
    return this.#core.scope;
  }
  /** 0 for an agent's own run, parent + 1 for a sub-agent. */
  get depth(): number {
    return this.#core.depth;
  }
  /** The run that delegated to this one, if any. */
  get parent(): Run | undefined {
    return this.#core.parent && facadeOf(this.#core.parent);
  }
  /** The root of this run's tree: its id is the `run_id` of every token in the tree. */
  get root(): Run {
    return facadeOf(this.#core.root);
  }
  /** Sub-agents created in this run's subtree so far. */
  get subAgents(): number {
    return this.#core.subAgents;
  }
  /** What the run has used so far: a snapshot, read-only. */
  get ledger(): LedgerView {
    const { ledger } = this.#core;
    const calls = ledger.snapshot().calls;
    return Object.freeze({
      halted: ledger.halted,
      tokens: ledger.tokens,
      records: ledger.records,
      elapsedMs: ledger.elapsedMs,
      callsOf: (tool: string) => (Object.hasOwn(calls, tool) ? (calls[tool] as number) : 0),
    });
  }
  /** True when the run keeps its state in a shared store: decide with `guardAsync` (`guard` cannot reach it). */
  get usesStore(): boolean {
    return this.#core.settings.store !== undefined;
  }
  /** True once `end()` was called: the run has recorded its end and its span is closed. */
  get hasEnded(): boolean {
    return this.#core.ended;
  }
  /** True once the run has halted: every further call halts too. */
  get halted(): boolean {
    return this.#core.halted;
  }
  /** The token id of this run, if it runs under one. Never the token itself. */
  get tokenId(): string | undefined {
    return this.#core.token?.verified.jti;
  }

  /**
   * Decides one call and records the decision. Synchronous: the check and the count are one step.
   * Guarding a call id that was already decided returns that decision and records nothing (so a
   * framework that re-runs a node on resume does not decide twice).
   *
   * @throws ArgumentInvalidError when `tokens` or `records` is not a count.
   * @throws CallIdReusedError when the call id was used for another call.
   */
  guard(request: GuardRequest): Decision {
    return guard(this.#core, request);
  }

  /**
   * `guard` for runs on a shared store (SQLite, Redis): the counts live in the store and are checked
   * and taken in one atomic step there, so limits hold across processes and machines. When the store
   * cannot be reached, write tools are blocked (`store_unavailable`); reads follow `storeDownReads`.
   *
   * @throws ArgumentInvalidError, CallIdReusedError as `guard`.
   * @throws CallDuplicateError when the same call id is being decided already.
   */
  guardAsync(request: GuardRequest): Promise<Decision> {
    return guardAsync(this.#core, request);
  }

  /**
   * The recorded decision of a call presented again, and never a new decision: what `guard` would
   * return for a call it has seen, or `undefined` for a call this run never decided (in this process
   * or, on a store, in another). For an adapter that must tell a call it paused from one a client
   * names for the first time (an answer to a request ORBIT never raised is refused, not applied).
   *
   * @throws CallIdReusedError when the call id was used for another tool or other arguments.
   */
  recall(request: GuardRequest): Promise<Decision | undefined> {
    return recall(this.#core, request);
  }

  /**
   * Applies a human's answer to a paused call and returns the decision it leads to. The answer must
   * carry the request's `action_hash`; the first answer wins. An `edit` is re-validated (with `tool`)
   * and re-gated; pauses count as approved by the editor, blocks and halts still apply.
   *
   * @throws ApprovalUnknownError, ApprovalAnswerInvalidError, ApprovalHashMismatchError (the request
   * stays pending), ApprovalAlreadyAnsweredError.
   */
  answer(approvalId: string, value: unknown, tool?: ToolShape): { decision: Decision; args: unknown } {
    return answer(this.#core, approvalId, value, tool);
  }

  /**
   * `answer` for runs on a shared store: the first answer wins across every process (compare-and-set
   * in the store), and the re-gate counts in the store. The approval may have been raised by another
   * process (a worker that died while waiting): it is adopted from the store.
   *
   * @throws the errors of `answer`.
   */
  answerAsync(
    approvalId: string,
    value: unknown,
    tool?: ToolShape,
  ): Promise<{ decision: Decision; args: unknown }> {
    return answerAsync(this.#core, approvalId, value, tool);
  }

  /**
   * Records that nobody answered a paused call in time: a timeout, never a human denial. Default deny.
   *
   * @throws ApprovalUnknownError, ApprovalAlreadyAnsweredError.
   */
  expireApproval(approvalId: string): Decision {
    return expireApproval(this.#core, approvalId);
  }

  /**
   * `expireApproval` on a shared store: the timeout is recorded only if nobody answered first.
   *
   * @throws ApprovalUnknownError.
   */
  expireAsync(approvalId: string, tool?: ToolShape): Promise<Decision> {
    return expireAsync(this.#core, approvalId, tool);
  }

  /** The approvals of this run nobody has answered yet. */
  pendingApprovals(): ApprovalRequest[] {
    return this.#core.book.pending();
  }

  /**
   * Applies a human's answer for an adapter whose framework resumes by re-running its node: the
   * first time, the answer is applied (`answerAsync`) and, on a store, the approved call is claimed,
   * so across processes it runs once; a replay gets the same result back. An answer another process
   * stored first wins over this one; an answer after the approval timeout is a timeout.
   *
   * @throws the errors of `answer` (a hash mismatch leaves the request pending, to be asked again).
   */
  resolveApproval(approvalId: string, value: unknown, tool?: ToolShape): Promise<Answered> {
    return resolveApproval(this.#core, approvalId, value, tool);
  }

  /**
   * The arguments a call runs with after a human's answer (an edit's, or the model's), for a framework
   * that presents the call again after it was answered; `undefined` for a call never paused here.
   */
  answeredArgs(callId: string): { args: unknown; editedArgs?: unknown } | undefined {
    return this.#core.book.answeredArgs(callId);
  }

  /**
   * The end of a call whose tool the framework runs (an adapter's `handler`): a `halt` records the
   * call as not executed and throws `RunHaltedError`; a `block` returns the refusal; otherwise `invoke`
   * runs under the call's span, and its output or error is recorded as the outcome (on a store, the
   * approval is completed and the action joins the compensation log). At most once per call.
   *
   * @throws RunHaltedError for a halt; CallDuplicateError when the call ran or runs already.
   */
  perform<Output>(
    decision: Decision,
    invoke: () => Output | Promise<Output>,
    options?: PerformOptions<Output>,
  ): Promise<CallResult<Output>> {
    return perform(this.#core, decision, invoke, options);
  }

  /**
   * Records the outcome of a call the adapter ran itself (exactly once per call). Executed actions are
   * kept with their undo for rollback.
   */
  recordOutcome(callId: string, outcome: Outcome): void {
    recordOutcome(this.#core, callId, outcome);
  }

  /**
   * The whole flow for a tool ORBIT knows: read the confidence, validate the input, guard, ask for
   * approval if paused, run the tool, record the outcome. Blocks and denials return a refusal; a
   * tool that throws returns `status: 'error'`.
   *
   * @throws RunHaltedError when the call halts the run; CallDuplicateError for a call id that ran.
   */
  execute<Input, Output>(
    tool: ToolDefinition<Input, Output>,
    rawArgs: unknown,
    options?: { callId?: string; tokens?: number },
  ): Promise<CallResult<Output>> {
    return execute(this.#core, tool, rawArgs, options);
  }

  /**
   * On a store: resolves once the store holds this run's record (written for a new run, found for a
   * resumed one, under this manifest). Optional: the first call waits for the same step. No store: at once.
   *
   * @throws RunStateLostError when a resumed run's state is gone (its calls halt with `run_state_lost`).
   * @throws RunManifestChangedError when the run was started under another manifest (`run_manifest_changed`).
   * @throws ManifestDowngradeError when the store has seen a newer manifest of the agent (`manifest_downgrade`).
   * @throws StoreUnavailableError when the store cannot be reached (the next call tries again).
   *
   * @example
   * await orbit.resumeRun(runId).ready(); // RunStateLostError if the store lost it
   */
  ready(): Promise<void> {
    return whenStarted(this.#core);
  }

  /**
   * Runs the approved calls of this run that were answered while nobody was waiting (the worker that
   * asked died, or was restarted): each exactly once across every process sharing the store. Returns
   * one result per call it ran or refused; calls still pending stay pending.
   *
   * @throws RunHaltedError when an approved call halts on its re-gate.
   */
  resumeApproved(tools: readonly ToolDefinition[]): Promise<CallResult[]> {
    return resumeApproved(this.#core, tools);
  }

  /**
   * Adds model token usage (e.g. from a framework's usage report) to the run's token count.
   *
   * @throws ArgumentInvalidError when `tokens` is not a finite number >= 0.
   */
  recordUsage(usage: { tokens: number }): void {
    if (!isCount(usage.tokens))
      throw new ArgumentInvalidError(`usage.tokens must be a finite number >= 0, got ${usage.tokens}.`);
    if (usage.tokens > 0) this.#core.addTokens(usage.tokens);
  }

  /**
   * Rolls the run back: runs the undos of executed reversible actions in reverse order, lists partial
   * actions as a manual-recovery checklist and irreversible ones as unrecoverable, and records it all.
   * On a store, each undo that ran is marked in the run's compensation log, so a rollback from the store
   * (`rollbackStoredRun`, `orbit rollback`) does not run it again.
   */
  async rollback(): Promise<RollbackReport> {
    const core = this.#core;
    const { ledger, recorder } = core;
    const { actions, omitted } = ledger.takeActions();
    const span = recorder.rollbackSpan();
    const report = await compensate(actions, (action, result, error) =>
      recorder.rolledBack(span, action, result, error),
    );
    recorder.rollbackEnded(span, report);
    await markUndone(core, report);
    if (Object.keys(omitted).length > 0) report.omitted = omitted;
    return report;
  }

  /** Stops the run (the kill switch): every further call halts. */
  stop(): void {
    this.#core.markHalted();
  }

  /**
   * Ends the run: records it (with how the task ended, when the application says), ends its span and
   * its sub-agents' runs that are still open, and flushes the audit sink. `abandoned`: the task was
   * given up before completion. Ending twice does nothing.
   */
  async end(options: { outcome?: 'success' | 'failure' | 'abandoned' } = {}): Promise<void> {
    const core = this.#core;
    if (core.ended) return;
    core.ended = true;
    // A call decided to run that the framework never ran (a response cut off, a step it dropped) ends
    // with the run, not executed: its outcome is recorded and its span ends.
    for (const [callId, record] of core.book.calls.entries()) {
      if (!record.outcome && !record.running && runs(record.effective ?? record.decision))
        recordOutcome(core, callId, { status: 'not_executed' });
    }
    // Sub-agent runs nobody ended end with their parent (a halted sub-agent, typically).
    for (const child of core.children) await facadeOf(child).end();
    // Awaited only with a sink to flush: without one, ending holds nothing until a later tick.
    const flushed = core.recorder.ended(core.halted, options.outcome);
    if (flushed) await flushed;
    core.settings.onRunEnded?.(core.id);
  }

  /**
   * Records the agent's own restatement of its goal mid-task. The context-poisoning detector compares
   * it with the manifest's `task_scope`.
   */
  recordGoal(goal: string): void {
    this.#core.recorder.goal(goal);
  }

  /**
   * Raises an alert on this run: an `alert` audit event, a span event, and a call to every notifier.
   */
  raiseAlert(alert: RunAlert): void {
    raiseAlert(this.#core, alert);
  }

  /**
   * Delegates to a sub-agent: mints a trust token for one of the manifest's sub-agent profiles,
   * attenuated from this run's own scope, and starts the sub-agent's run under it. Asking for more
   * than this run holds is refused (`block`, `scope_escalation`, naming the wider field).
   *
   * @throws ArgumentInvalidError when the request is malformed (naming the field).
   * @throws RunHaltedError when delegating is not permitted, too deep or beyond the sub-agent limit.
   *
   * @example
   * const { run: researcher } = await run.delegate({ profile: 'researcher' });
   * await researcher.execute(webSearch, { query, confidence: 0.9 });
   */
  async delegate(input: DelegationRequest): Promise<DelegationResult> {
    const { decision, token, child, scope } = await delegate(this.#core, input);
    if (!child) return { decision };
    return { decision, token, run: facadeOf(child), scope };
  }

  /**
   * Revokes this run's token and with it every token minted under it; for an agent's own run, every
   * token of the run tree and the run itself (the kill switch). Takes effect at each sub-agent's next
   * guarded call or delegation, and at the agent's own (`halt`, `token_revoked`). On a store, the
   * revocation is recorded there too: other processes see it within their `revocationStalenessMs`.
   *
   * @throws StoreUnavailableError when the store cannot record it (it holds in this process already).
   */
  revoke(): Promise<void> {
    return revoke(this.#core);
  }
}

/** Opens a run (for `createOrbit`; not part of the public API). */
export function openRun(settings: RunSettings, options?: RunOptions): Run {
  const core = new RunCore(settings, options);
  // On a store, the run's record is written (or, resumed, checked) at once, before its first call.
  if (settings.store) ensureStarted(core, settings.store).catch(() => undefined);
  return new Run(core, OPEN);
}

function facadeOf(core: RunCore): Run {
  return (core.facade as Run | undefined) ?? new Run(core, OPEN);
}

/** How much a run remembers: its call book's sizes (tests check its bounds; not exported by the package). */
export function bookSizes(run: Run): { calls: number; approvals: number } {
  const { book } = coreOf(run);
  return { calls: book.calls.size, approvals: book.approvals.size };
}

/** On a store: marks the undos a rollback ran in the run's compensation log (see `rollbackStoredRun`). */
async function markUndone(core: RunCore, report: RollbackReport): Promise<void> {
  const store = core.settings.store;
  if (!store) return;
  for (const { call_id: callId, tool, reversibility } of report.undone) {
    try {
      await store.appendAction(core.root.id, core.id, { callId, tool, reversibility, status: 'undone' });
    } catch (error) {
      core.settings.onStoreError(error);
    }
  }
}
