import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Alert, AlertRules, Notifier } from '../alerts/alert.js';
import {
  type ApprovalAnswer,
  ApprovalAnswerSchema,
  type ApprovalHandler,
  type ApprovalRequest,
} from '../approvals/approval.js';
import type { AuditEvent, AuditSink, Redactor } from '../audit/audit-event.js';
import { canonicalJson, sha256 } from '../canonical-json.js';
import { compensate, type RollbackReport } from '../compensation/rollback.js';
import type { ConfidenceSource } from '../confidence/confidence-source.js';
import { ApprovalError, describeInputError, formatPath, OrbitError } from '../errors.js';
import type { GateState } from '../gate/decide.js';
import {
  checkBudgets,
  decide,
  type GateRequest,
  halt,
  isValidConfidence,
  raise,
  type Verdict,
} from '../gate/decide.js';
import { type Policy, resourceTypeOf } from '../gate/policy.js';
import { type ReasonCode, SEVERITY } from '../gate/reason-codes.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import type { Manifest } from '../manifest/manifest-schema.js';
import type { RunLimits, RunStore, StoredAction, StoredApproval } from '../stores/run-store.js';
import { ATTR, SPAN, SPAN_EVENT } from '../telemetry/attributes.js';
import {
  attributeValue,
  context as otelContext,
  startSpan,
  type Telemetry,
  trace,
} from '../telemetry/telemetry.js';
import { scopedPolicy } from '../trust/scoped-policy.js';
import { SPAWN_TOOL } from '../trust/spawn-tool.js';
import { TokenError } from '../trust/token-error.js';
import {
  attenuateScope,
  type DelegationRequest,
  DelegationRequestSchema,
  isWithin,
  type ScopeUsage,
  type TokenScope,
} from '../trust/token-scope.js';
import type { TokenExpectations, TrustAuthority, VerifiedToken } from '../trust/trust-authority.js';
import { CallTable } from './call-table.js';
import { type Decision, type Refusal, toRefusal } from './decision.js';
import type { ToolContext, ToolDefinition } from './define-tool.js';
import { RunHaltedError } from './run-halted-error.js';

export { SPAWN_TOOL };

/** A call to be gated, in neutral form: what every adapter produces from its framework's tool call. */
export interface GuardRequest {
  tool: string;
  /** The tool's validated arguments (confidence stripped). Hashed for approvals and written to the audit log. */
  args?: unknown;
  /** 0..1; anything else counts as missing. */
  confidence?: unknown;
  /** The framework's tool call id. Guarding the same id again returns the recorded decision (resume-safe). */
  callId?: string;
  records?: number;
  resource?: string;
  /** Model tokens spent to produce this call; added to the run's token count before the check. */
  tokens?: number;
  /** The arguments failed validation: the call is blocked (`input_invalid`) unless the boundary halts it first. */
  inputError?: string;
}

/** The result of one executed (or refused) call. Halts throw `RunHaltedError` instead. */
export type CallResult<Output = unknown> = (
  | { status: 'executed'; output: Output }
  | { status: 'refused'; refusal: Refusal }
  | { status: 'error'; error: unknown }
) & {
  /** The decision the call ran (or did not run) under: after the approval, when it paused. */
  decision: Decision;
  /** Present when the call paused: the approval request that was answered (or timed out). */
  approval?: ApprovalRequest;
};

/** Which tool functions re-gating an edited call needs. */
export type ToolShape = Pick<ToolDefinition, 'input' | 'records' | 'resource'>;

interface CallRecord {
  decision: Decision;
  /** The arguments the call was first guarded with (an edit changes `args`, not these). */
  readonly requestArgs: unknown;
  /** The decision after the approval, if the call paused. */
  effective?: Decision;
  /** A human's edit, as given (before the schema parsed it into `args`). */
  editedArgs?: unknown;
  args: unknown;
  records: number;
  resource: string | undefined;
  outcome: boolean;
  /** `execute` is running this call (it is pinned until its outcome). */
  running?: boolean;
  /** The call's `execute_tool` span, ended with its outcome. */
  span: Span;
  /** The `orbit.await_approval` span while a human is asked. */
  waitSpan?: Span;
}

/** Settings a run takes from its Orbit. */
export interface RunSettings {
  readonly policy: Policy;
  readonly manifest: Manifest;
  readonly sink: AuditSink | undefined;
  readonly telemetry: Telemetry;
  readonly alertRules: AlertRules;
  /** The shared store, if runs keep their state outside this process. */
  readonly store: RunStore | undefined;
  /** What read-only tools do when the store cannot be reached. */
  readonly storeDownReads: 'allow' | 'block';
  /** Told when the store cannot be reached. */
  readonly onStoreError: (error: unknown) => void;
  /** Told of every run started in this deployment (sub-agent runs too), and of its end. */
  readonly onRunStarted: ((run: Run) => void) | undefined;
  readonly onRunEnded: ((run: Run) => void) | undefined;
  readonly notifiers: readonly Notifier[];
  readonly redact: Redactor | undefined;
  readonly confidence: ConfidenceSource;
  readonly approvalHandler: ApprovalHandler | undefined;
  readonly approvalTimeoutMs: number;
  readonly onApprovalTimeout: 'deny' | 'halt';
  readonly now: () => number;
  /** The trust authority that mints and checks sub-agent tokens (created on first use). */
  readonly trust: () => Promise<TrustAuthority>;
  /** How many calls a run remembers for resume-safe idempotency (pending approvals are always kept). */
  readonly maxTrackedCalls: number;
  /** The ISO time of now, cached per millisecond. */
  readonly timestamp: () => string;
  /** What the agent's own runs hold: its manifest as a scope. */
  readonly rootScope: TokenScope;
}

/** A sub-agent's token, bound to its run. */
interface BoundToken {
  readonly verified: VerifiedToken;
  readonly authority: TrustAuthority;
  readonly expected: TokenExpectations;
}

/** What `run.delegate()` gives back: the decision, and on success the token and the sub-agent's run. */
export interface DelegationResult {
  readonly decision: Decision;
  /** The compact JWT for the sub-agent (hand it to a sub-agent in another process). */
  readonly token?: string;
  /** The sub-agent's run, bound to the token: its calls count against its scope and every ancestor. */
  readonly run?: Run;
  /** The scope the token carries. */
  readonly scope?: TokenScope;
}

/**
 * One execution of one agent: its id, policy, ledger and audit trail. Every tool call passes `guard`;
 * `execute` runs the whole flow for a tool ORBIT knows (guard → approval if paused → tool → outcome).
 */
export class Run {
  readonly id: string;
  readonly parentId: string | null;
  readonly agentId: string;
  readonly ledger: MemoryLedger;
  /** The policy this run decides with: its manifest's, or the scope of its trust token. */
  readonly policy: Policy;
  /** The run that delegated to this one, if any. */
  readonly parent: Run | undefined;
  /** The root of this run's tree: its id is the `run_id` of every token in the tree. */
  readonly root: Run;
  /** 0 for an agent's own run, parent + 1 for a sub-agent. */
  readonly depth: number;
  /** What this run may do and delegate. */
  readonly scope: TokenScope;
  /** Sub-agents created in this run's subtree so far. */
  subAgents = 0;
  private readonly token: BoundToken | undefined;
  private readonly settings: RunSettings;
  private ended = false;
  /** Call ids between the start and the end of their (asynchronous) decision. */
  private readonly deciding = new Set<string>();
  private started: Promise<void> | undefined;
  private readonly startedAt: number;
  private irreversibleExecuted = 0;
  private readonly alerted = new Set<string>();
  private readonly children: Run[] = [];
  /** The run's `invoke_agent` span: every call's span is its child. */
  readonly span: Span;
  private readonly calls: CallTable<CallRecord>;
  /** Approvals of this run: pending ones are kept, answered ones only as long as recent calls are. */
  private readonly approvals: CallTable<{ request: ApprovalRequest; answered: boolean; requestedAt: number }>;
  private sequence = 0;
  private readonly resumed: boolean;
  /** A tracer is set: the run's span has a valid context (it may still be sampled out). */
  private readonly traced: boolean;

  constructor(
    settings: RunSettings,
    options: {
      runId?: string;
      parentRunId?: string;
      parent?: Run;
      token?: BoundToken;
      agentId?: string;
      /** The span this run's `invoke_agent` span nests under (the delegating call's). */
      parentSpan?: Span;
      /** Taken up from the store (`resumeRun`): calls it has not seen may have paused in another process. */
      resumed?: boolean;
    } = {},
  ) {
    this.settings = settings;
    this.id = options.runId ?? randomUUID();
    this.parent = options.parent;
    this.root = options.parent?.root ?? this;
    this.parentId = options.parent?.id ?? options.parentRunId ?? null;
    this.token = options.token;
    this.resumed = options.resumed === true;
    this.depth = options.token?.verified.depth ?? 0;
    this.scope = options.token?.verified.scope ?? settings.rootScope;
    this.policy = options.token
      ? scopedPolicy(settings.policy, this.scope, options.agentId!)
      : settings.policy;
    this.agentId = this.policy.agentId;
    this.ledger = new MemoryLedger(settings.now);
    this.startedAt = settings.now();
    this.calls = new CallTable(settings.maxTrackedCalls);
    this.approvals = new CallTable(settings.maxTrackedCalls);
    settings.onRunStarted?.(this);
    this.span = startSpan(
      settings.telemetry,
      SPAN.invokeAgent(this.agentId),
      options.parentSpan,
      SpanKind.INTERNAL,
    );
    this.traced = trace.isSpanContextValid(this.span.spanContext());
    if (this.span.isRecording()) {
      this.span.setAttributes({
        [ATTR.GEN_AI_OPERATION_NAME]: 'invoke_agent',
        [ATTR.GEN_AI_AGENT_NAME]: this.agentId,
        [ATTR.GEN_AI_AGENT_ID]: this.agentId,
        [ATTR.RUN_ID]: this.id,
        [ATTR.MANIFEST_DIGEST]: this.policy.digest,
        [ATTR.MATURITY_LEVEL]: this.policy.level,
      });
      if (this.parentId) this.span.setAttribute(ATTR.PARENT_RUN_ID, this.parentId);
      if (this.token) {
        this.span.setAttribute(ATTR.TOKEN_ID, this.token.verified.jti);
        this.span.setAttribute(ATTR.TOKEN_DEPTH, this.depth);
      }
    }
    if (settings.sink) {
      this.emit({
        event: 'run',
        run: 'started',
        maturity_level: this.policy.level,
        ...(this.token ? { token_id: this.token.verified.jti, depth: this.depth } : {}),
      });
    }
  }

  /** True when the run keeps its state in a shared store: decide with `guardAsync` (`guard` cannot reach it). */
  get usesStore(): boolean {
    return this.settings.store !== undefined;
  }

  /** True once `end()` was called: the run has recorded its end and its span is closed. */
  get hasEnded(): boolean {
    return this.ended;
  }

  /** True once the run has halted: every further call halts too. */
  get halted(): boolean {
    return this.ledger.halted;
  }

  /**
   * Decides one call and records the decision. Synchronous: the check and the count are one step.
   * Guarding a call id that was already decided returns that decision and records nothing (so a
   * framework that re-runs a node on resume does not decide twice).
   */
  guard(request: GuardRequest): Decision {
    checkCounts(request);
    const callId = request.callId ?? this.nextCallId();
    const known = this.known(callId, request);
    if (known) return known;
    const gate = this.gateOf(request);
    return this.settle(callId, request, this.evaluate(gate), gate.records);
  }

  /** The gate's view of a new call; the call's tokens are added to the run (and its ancestors) first. */
  private gateOf(request: GuardRequest): GateRequest {
    if (request.tokens !== undefined && request.tokens > 0) this.addTokens(request.tokens);
    return {
      tool: request.tool,
      confidence: request.confidence as number | undefined,
      records: request.records ?? 0,
      resource: request.resource,
      approved: false,
    };
  }

  /**
   * `guard` for runs on a shared store (SQLite, Redis): the counts live in the store and are checked
   * and taken in one atomic step there, so limits hold across processes and machines. When the store
   * cannot be reached, write tools are blocked (`store_unavailable`); reads follow `storeDownReads`.
   */
  async guardAsync(request: GuardRequest): Promise<Decision> {
    if (!this.settings.store) return this.guard(request);
    checkCounts(request);
    const callId = request.callId ?? this.nextCallId();
    if (this.deciding.has(callId)) {
      throw new OrbitError(
        'ERR_CALL_DUPLICATE',
        `Call "${callId}" is being decided already in run "${this.id}"; a call runs at most once.`,
      );
    }
    // Only a caller's call id (a framework's) names the same call in another process; generated ones are local.
    const known =
      this.known(callId, request) ??
      (this.resumed && request.callId !== undefined ? await this.recover(callId, request) : undefined);
    if (known) return known;
    const gate = this.gateOf(request);
    this.deciding.add(callId);
    try {
      const verdict = await this.evaluateWithStore(gate, request);
      const decision = this.settle(callId, request, verdict, gate.records);
      if (!decision.approval) return decision;
      const now = this.settings.now();
      try {
        await this.settings.store.putApproval(this.root.id, {
          treeId: this.root.id,
          request: decision.approval,
          status: 'pending',
          requestedAt: now,
          expiresAt: now + this.settings.approvalTimeoutMs,
        });
        return decision;
      } catch (error) {
        // A pause nobody else can see cannot be answered: fail closed.
        this.settings.onStoreError(error);
        const record = this.calls.get(callId)!;
        this.approvals.delete(decision.approval.approval_id);
        this.calls.unpin(callId);
        record.waitSpan?.end();
        return this.refuse(record, 'block', 'store_unavailable');
      }
    } finally {
      this.deciding.delete(callId);
    }
  }

  /** The call id's recorded decision, if this run has seen it (and it is the same call). */
  private known(callId: string, request: GuardRequest): Decision | undefined {
    const known = this.calls.get(callId);
    if (!known) return undefined;
    // A framework re-running a node presents the same call again: answer it from the record.
    if (
      known.decision.tool !== request.tool ||
      canonicalJson(known.requestArgs ?? null) !== canonicalJson(request.args ?? null)
    ) {
      throw new OrbitError(
        'ERR_CALL_ID_REUSED',
        `Call id "${callId}" was already used for another call in run "${this.id}"; give each tool call its own id.`,
      );
    }
    const decided = known.effective ?? known.decision;
    // It already ran: a framework re-running the node must not run it again.
    const ran = decided.decision === 'proceed' || decided.decision === 'proceed_with_log';
    if (known.outcome && ran)
      return { ...decided, decision: 'block', reasons: [...decided.reasons, 'already_executed'] };
    return decided;
  }

  /** Records a decided call: the decision, the count, the approval request, the span, the audit event, the alerts. */
  private settle(callId: string, request: GuardRequest, verdict: Verdict, records: number): Decision {
    if (request.inputError !== undefined && verdict.decision !== 'halt') {
      verdict.decision = 'block';
      verdict.reasons = ['input_invalid'];
    }
    const decision = this.stamp(callId, request.tool, verdict, request.inputError);
    this.admit(decision, records, request.resource);
    const record: CallRecord = {
      decision,
      requestArgs: request.args,
      args: request.args,
      records,
      resource: request.resource,
      outcome: false,
      // Under a run span that does not record (no SDK, or sampled out), calls share it: no span is made.
      span: this.span.isRecording()
        ? startSpan(this.settings.telemetry, SPAN.executeTool(request.tool), this.span)
        : this.span,
    };
    this.calls.set(callId, record);
    if (decision.decision === 'pause') {
      const approval = this.openApproval(decision, request.args);
      record.decision = { ...decision, approval };
      this.calls.pin(callId, record); // a call waiting for a human is never forgotten
      if (record.span.isRecording()) {
        record.waitSpan = startSpan(this.settings.telemetry, SPAN.awaitApproval(request.tool), record.span);
        record.waitSpan.setAttribute(ATTR.APPROVAL_ID, approval.approval_id);
      }
    }
    if (record.span.isRecording()) this.describeCallSpan(record, request);
    if (this.settings.sink) this.emitDecision(record.decision, request);
    if (record.decision.approval) this.emitApprovalRequested(record.decision.approval, record.span);
    this.checkDecisionAlerts(record.decision, record.span);
    return record.decision;
  }

  /**
   * Applies a human's answer to a paused call and returns the decision it leads to. The answer must
   * carry the request's `action_hash`; the first answer wins. An `edit` is re-validated (with `tool`)
   * and re-gated; pauses count as approved by the editor, blocks and halts still apply.
   */
  answer(
    approvalId: string,
    answer: ApprovalAnswer | unknown,
    tool?: ToolShape,
  ): { decision: Decision; args: unknown } {
    const pending = this.approvals.get(approvalId);
    if (!pending)
      throw new ApprovalError(
        'ERR_APPROVAL_UNKNOWN',
        `No approval "${approvalId}" in run "${this.id}".`,
        approvalId,
      );
    const value = parseAnswer(approvalId, answer);
    const { request } = pending;
    if (value.action_hash !== request.action_hash) {
      throw new ApprovalError(
        'ERR_APPROVAL_HASH_MISMATCH',
        `The answer to approval "${approvalId}" is bound to other arguments (action_hash ${value.action_hash}, expected ${request.action_hash}); it was refused and the request is still pending.`,
        approvalId,
      );
    }
    if (pending.answered) {
      throw new ApprovalError(
        'ERR_APPROVAL_ALREADY_ANSWERED',
        `Approval "${approvalId}" was already answered; the first answer stands.`,
        approvalId,
      );
    }
    this.markAnswered(pending);
    const applied = this.applyAnswer(request, value, tool, this.settings.now() - pending.requestedAt);
    if ('decision' in applied) return applied;
    return this.finishAnswer(request, this.evaluate(applied.gate));
  }

  /**
   * `answer` for runs on a shared store: the first answer wins across every process (compare-and-set
   * in the store), and the re-gate counts in the store. The approval may have been raised by another
   * process (a worker that died while waiting): it is adopted from the store.
   */
  async answerAsync(
    approvalId: string,
    answer: ApprovalAnswer | unknown,
    tool?: ToolShape,
  ): Promise<{ decision: Decision; args: unknown }> {
    const store = this.settings.store;
    if (!store) return this.answer(approvalId, answer, tool);
    const value = parseAnswer(approvalId, answer);
    const result = await store.answerApproval(this.root.id, approvalId, value, this.settings.now());
    if (!result.ok) throw storeAnswerError(result.reason, approvalId);
    const { request } = result.approval;
    this.adoptApproval(result.approval);
    const pending = this.approvals.get(approvalId)!;
    this.markAnswered(pending);
    if (value.type === 'approve' && value.extend_budget) {
      const { tokens, records, minutes } = value.extend_budget;
      await store.extend(this.root.id, this.id, {
        tokens,
        records,
        ms: minutes === undefined ? undefined : minutes * 60_000,
      });
    }
    const applied = this.applyAnswer(request, value, tool, this.settings.now() - result.approval.requestedAt);
    if ('decision' in applied) {
      if (applied.decision.decision === 'halt')
        await store.halt(this.root.id, this.id).catch(() => undefined);
      return applied;
    }
    return this.finishAnswer(request, await this.evaluateWithStore(applied.gate, undefined));
  }

  /** Records a human's answer and says what follows: a final decision, or a re-gate (approve, valid edit). */
  private applyAnswer(
    request: ApprovalRequest,
    value: ApprovalAnswer,
    tool: ToolShape | undefined,
    waited: number,
  ): { decision: Decision; args: unknown } | { gate: GateRequest } {
    const record = this.calls.get(request.call_id)!;
    this.calls.unpin(request.call_id);
    this.endWait(record, value.type, value.approver, waited);
    if (this.settings.sink) {
      this.emitApproval(request, value.type, {
        approver: value.approver,
        comment: value.comment,
        waited_ms: waited,
        ...(value.type === 'edit' ? { input: this.redacted(request.tool, 'input', value.args) } : {}),
      });
    }
    if (value.type === 'deny') {
      const effective = this.refuse(record, value.stop_run ? 'halt' : 'block', 'approval_denied');
      if (value.stop_run) this.markHalted();
      return { decision: effective, args: record.args };
    }
    if (value.type === 'approve' && value.extend_budget) this.ledger.extend(value.extend_budget);
    if (value.type === 'edit') {
      if (!tool) {
        const detail = 'An edit needs the tool (its input schema) to re-validate the edited arguments.';
        return { decision: this.refuse(record, 'block', 'input_invalid', detail), args: record.args };
      }
      const edited = tool.input.safeParse(value.args);
      if (!edited.success) {
        const issue = edited.error.issues[0]!;
        const detail = `Edited input invalid at ${formatPath(issue.path)}: ${issue.message}.`;
        return { decision: this.refuse(record, 'block', 'input_invalid', detail), args: value.args };
      }
      record.args = edited.data;
      record.editedArgs = value.args;
      record.records = tool.records?.(edited.data) ?? record.records;
      record.resource = tool.resource ? tool.resource(edited.data) : record.resource;
    }
    const gate: GateRequest = {
      tool: request.tool,
      confidence: request.confidence ?? undefined,
      records: record.records,
      resource: record.resource,
      approved: true,
    };
    return { gate };
  }

  private finishAnswer(request: ApprovalRequest, verdict: Verdict): { decision: Decision; args: unknown } {
    const record = this.calls.get(request.call_id)!;
    const effective = this.stamp(request.call_id, request.tool, verdict);
    this.admit(effective, record.records, record.resource);
    record.effective = effective;
    return { decision: effective, args: record.args };
  }

  /** Applies an answer another process put in the store (it already won the compare-and-set there). */
  private async takeStoredAnswer(
    stored: StoredApproval,
    tool: ToolShape | undefined,
  ): Promise<{ decision: Decision; args: unknown }> {
    const pending = this.approvals.get(stored.request.approval_id);
    if (pending) this.markAnswered(pending);
    if (stored.status === 'timeout')
      return { decision: this.expireLocally(stored.request), args: stored.request.args };
    const value = stored.answer!;
    const applied = this.applyAnswer(
      stored.request,
      value,
      tool,
      (stored.answeredAt ?? this.settings.now()) - stored.requestedAt,
    );
    if ('decision' in applied) return applied;
    return this.finishAnswer(stored.request, await this.evaluateWithStore(applied.gate, undefined));
  }

  /** `expireApproval` on a shared store: the timeout is recorded only if nobody answered first. */
  async expireAsync(approvalId: string, tool?: ToolShape): Promise<Decision> {
    const store = this.settings.store;
    if (!store) return this.expireApproval(approvalId);
    const result = await store.expireApproval(this.root.id, approvalId, this.settings.now());
    if (!result.ok && result.reason === 'already_answered' && result.approval?.answer) {
      return (await this.takeStoredAnswer(result.approval, tool)).decision;
    }
    if (!result.ok && result.reason === 'unknown') throw storeAnswerError('unknown', approvalId);
    const pending = this.approvals.get(approvalId);
    if (pending) this.markAnswered(pending);
    return this.expireLocally((result.ok ? result.approval : result.approval!).request);
  }

  /** Records that nobody answered a paused call in time: a timeout, never a human denial. Default deny. */
  expireApproval(approvalId: string): Decision {
    const pending = this.approvals.get(approvalId);
    if (!pending)
      throw new ApprovalError(
        'ERR_APPROVAL_UNKNOWN',
        `No approval "${approvalId}" in run "${this.id}".`,
        approvalId,
      );
    if (pending.answered)
      throw new ApprovalError(
        'ERR_APPROVAL_ALREADY_ANSWERED',
        `Approval "${approvalId}" was already answered.`,
        approvalId,
      );
    this.markAnswered(pending);
    return this.expireLocally(pending.request);
  }

  /** Records the timeout of an approval (the store, if any, has already agreed). */
  private expireLocally(request: ApprovalRequest): Decision {
    const requestedAt = this.approvals.get(request.approval_id)?.requestedAt ?? this.settings.now();
    const waited = this.settings.now() - requestedAt;
    this.calls.unpin(request.call_id);
    const record = this.calls.get(request.call_id)!;
    this.endWait(record, 'timeout', undefined, waited);
    if (this.settings.sink) this.emitApproval(request, 'timeout', { waited_ms: waited });
    const halt = this.settings.onApprovalTimeout === 'halt';
    if (halt) this.markHalted();
    return this.refuse(record, halt ? 'halt' : 'block', 'approval_timeout');
  }

  /** The approvals of this run nobody has answered yet. */
  pendingApprovals(): ApprovalRequest[] {
    return [...this.approvals.pinnedValues()]
      .filter((entry) => !entry.answered)
      .map((entry) => entry.request);
  }

  /**
   * A run taken up from the store may meet a call that paused in another process (a framework
   * resuming a checkpointed thread after a restart): its stored approval is adopted, so the call is
   * answered, not decided (and recorded) a second time.
   */
  private async recover(callId: string, request: GuardRequest): Promise<Decision | undefined> {
    const store = this.settings.store!;
    let stored: StoredApproval | undefined;
    let executed: StoredAction | undefined;
    try {
      // Read for each call this process has not seen: another process may have decided it at any time.
      const approvals = await store.listApprovals(this.root.id, {
        runId: this.id,
        statuses: ['pending', 'approved', 'denied', 'edited', 'timeout', 'executing', 'done'],
      });
      stored = approvals.find((approval) => approval.request.call_id === callId);
      if (!stored) {
        const actions = await store.listActions(this.root.id, this.id);
        executed = actions.find((action) => action.callId === callId);
      }
    } catch (error) {
      // Without the store nothing can be decided safely either: the decision path fails closed next.
      this.settings.onStoreError(error);
      return undefined;
    }
    if (stored) {
      this.adoptApproval(stored);
      const record = this.calls.get(callId)!;
      // It was approved and ran (or is running) elsewhere: it is not asked for, nor run, again.
      if ((stored.status === 'executing' || stored.status === 'done') && !record.effective) {
        this.refuse(record, 'block', 'already_executed');
      }
      return this.known(callId, request);
    }
    if (!executed) return undefined;
    // A write that ran without a pause in another process (its action is in the compensation log).
    const verdict: Verdict = { decision: 'proceed', reasons: [], confidence: null };
    const decision = this.stamp(callId, executed.tool, verdict);
    this.calls.set(callId, {
      decision,
      requestArgs: request.args,
      args: request.args,
      records: 0,
      resource: executed.resource,
      outcome: true,
      span: this.span,
    });
    return this.known(callId, request);
  }

  /**
   * Applies a human's answer to a paused call for an adapter whose framework resumes by re-running
   * its node: the first time, the answer is applied (`answerAsync`) and, on a store, the approved
   * call is claimed, so across processes it runs once; a replay gets the same result back. An answer
   * another process stored first wins over this one.
   */
  async resolveApproval(
    approvalId: string,
    answer: ApprovalAnswer | unknown,
    tool?: ToolShape,
  ): Promise<{ decision: Decision; args: unknown; editedArgs?: unknown }> {
    const pending = this.approvals.get(approvalId);
    const record = pending ? this.calls.get(pending.request.call_id) : undefined;
    if (record?.effective) return this.settled(approvalId, record.effective);
    // An answer after the deadline is too late: the request timed out, as if nobody had answered.
    if (
      pending &&
      !pending.answered &&
      this.settings.now() - pending.requestedAt > this.settings.approvalTimeoutMs
    ) {
      const expired = this.settings.store
        ? await this.expireAsync(approvalId, tool)
        : this.expireApproval(approvalId);
      // Someone may have answered in time through the store: that answer runs once, claimed.
      return this.settled(approvalId, await this.claim(pending.request, expired));
    }
    let answered: { decision: Decision; args: unknown };
    try {
      answered = await this.answerAsync(approvalId, answer, tool);
    } catch (error) {
      const store = this.settings.store;
      if (!(store && error instanceof ApprovalError && error.code === 'ERR_APPROVAL_ALREADY_ANSWERED'))
        throw error;
      const stored = await store.getApproval(this.root.id, approvalId);
      if (!stored) throw error;
      this.adoptApproval(stored);
      answered = await this.takeStoredAnswer(stored, tool);
    }
    const approval = this.approvals.get(approvalId)!.request;
    return this.settled(approvalId, await this.claim(approval, answered.decision));
  }

  /** A resolved approval: the decision, the arguments it runs with, and a human's edit as given. */
  private settled(
    approvalId: string,
    decision: Decision,
  ): { decision: Decision; args: unknown; editedArgs?: unknown } {
    return { decision, ...argsOf(this.calls.get(this.approvals.get(approvalId)!.request.call_id)!) };
  }

  /**
   * The arguments a call runs with after a human's answer (an edit's, or the model's), for a framework
   * that presents the call again after it was answered; `undefined` for a call never paused here.
   */
  answeredArgs(callId: string): { args: unknown; editedArgs?: unknown } | undefined {
    const record = this.calls.get(callId);
    if (!record?.effective || !record.decision.approval) return undefined;
    return argsOf(record);
  }

  /**
   * The end of a call whose tool the framework runs (an adapter's `handler`): a `halt` records the
   * call as not executed and throws `RunHaltedError`; a `block` returns the refusal; otherwise `invoke`
   * runs under the call's span, and its output or error is recorded as the outcome (on a store, the
   * approval is completed and the action joins the compensation log). At most once per call.
   */
  perform<Output>(
    decision: Decision,
    invoke: () => Output | Promise<Output>,
    options: {
      undo?: (output: Output) => unknown;
      approval?: ApprovalRequest;
      /**
       * Errors that suspend the call rather than end it (a framework's interrupt from inside a
       * sub-agent): no outcome is recorded, the error is rethrown, and the call may be performed again.
       */
      suspends?: (error: unknown) => boolean;
    } = {},
  ): Promise<CallResult<Output>> {
    const record = this.calls.get(decision.call_id);
    const runs = decision.decision === 'proceed' || decision.decision === 'proceed_with_log';
    // A refusal or a halt is reported as often as it is presented; a call runs at most once.
    if (runs && (record?.outcome || record?.running)) {
      return Promise.reject(
        new OrbitError(
          'ERR_CALL_DUPLICATE',
          `Call "${decision.call_id}" already ran in run "${this.id}"; a call runs at most once.`,
        ),
      );
    }
    if (!runs && record?.running) {
      // Presented again while it runs (a concurrent replay): refused, and the running call's outcome stands.
      if (decision.decision === 'halt') return Promise.reject(new RunHaltedError(decision));
      return Promise.resolve({ status: 'refused', refusal: toRefusal(decision), decision });
    }
    if (record && runs) {
      record.running = true;
      this.calls.pin(decision.call_id, record);
    }
    const approval = options.approval ?? record?.decision.approval;
    const { undo } = options;
    const tool: ToolDefinition<undefined, Output> = {
      name: decision.tool,
      input: undefined as never,
      execute: () => invoke(),
      ...(undo ? { undo: (_input: undefined, output: Output) => undo(output) } : {}),
    };
    return this.run(tool, undefined, decision, approval, options.suspends);
  }

  /**
   * Records the outcome of a call the adapter ran itself (exactly once per call). Executed actions are
   * kept with their undo for rollback.
   */
  recordOutcome(
    callId: string,
    outcome: {
      status: 'executed' | 'error' | 'not_executed';
      output?: unknown;
      error?: unknown;
      elapsedMs?: number;
      undo?: () => unknown;
    },
  ): void {
    const record = this.calls.get(callId);
    if (!record || record.outcome) return;
    record.outcome = true;
    this.calls.unpin(callId);
    const decision = record.effective ?? record.decision;
    if (outcome.status === 'executed' && decision.reversibility === 'irreversible')
      this.checkIrreversibleCount(decision, record.span);
    if (outcome.status === 'executed' && decision.reversibility !== 'read_only') {
      this.ledger.keep(
        {
          callId,
          tool: decision.tool,
          reversibility: decision.reversibility,
          resource: record.resource,
          undo: outcome.undo,
        },
        this.settings.maxTrackedCalls,
      );
    }
    this.endCallSpan(record, outcome.status, outcome.output, outcome.error);
    if (!this.settings.sink) return;
    const event = this.callEvent('outcome', decision);
    event.status = outcome.status;
    event.records = record.records;
    event.resource = record.resource;
    if (outcome.status === 'executed') event.output = this.redacted(decision.tool, 'output', outcome.output);
    if (outcome.error !== undefined) event.error = describeError(outcome.error);
    event.elapsed_ms = outcome.elapsedMs;
    if (this.token) event.token_id = this.token.verified.jti;
    this.settings.sink.write(event);
  }

  /**
   * The whole flow for a tool ORBIT knows: read the confidence, validate the input, guard, ask for
   * approval if paused, run the tool, record the outcome. Blocks and denials return a refusal; a
   * halt throws `RunHaltedError`; a tool that throws returns `status: 'error'`.
   */
  async execute<Input, Output>(
    tool: ToolDefinition<Input, Output>,
    rawArgs: unknown,
    options: { callId?: string; tokens?: number } = {},
  ): Promise<CallResult<Output>> {
    const existing = options.callId === undefined ? undefined : this.calls.get(options.callId);
    if (existing && (existing.outcome || existing.running)) {
      throw new OrbitError(
        'ERR_CALL_DUPLICATE',
        `Call "${options.callId}" already ran in run "${this.id}"; a call runs at most once.`,
      );
    }
    const { confidence, args } = this.settings.confidence.read(rawArgs);
    const parsed = tool.input.safeParse(args);
    let input = (parsed.success ? parsed.data : args) as Input;
    const inputError = parsed.success ? undefined : describeInputError(parsed.error);
    const request: GuardRequest = {
      tool: tool.name,
      args: input,
      confidence,
      inputError,
      callId: options.callId,
      tokens: options.tokens,
      records: parsed.success ? (tool.records?.(input) ?? 0) : 0,
      resource: parsed.success ? tool.resource?.(input) : undefined,
    };
    let decision = this.settings.store ? await this.guardAsync(request) : this.guard(request);
    const record = this.calls.get(decision.call_id)!;
    if (record.running || record.outcome) {
      throw new OrbitError(
        'ERR_CALL_DUPLICATE',
        `Call "${decision.call_id}" already ran in run "${this.id}"; a call runs at most once.`,
      );
    }
    // Until its outcome is recorded, the call is neither forgotten nor run a second time.
    record.running = true;
    this.calls.pin(decision.call_id, record);
    const approval = decision.approval;
    if (approval) {
      const answered = await this.awaitApproval(approval, tool);
      decision = answered.decision;
      input = answered.args as Input;
      decision = await this.claim(approval, decision);
    }
    return this.run(tool, input, decision, approval);
  }

  /**
   * On a shared store, an approved call runs exactly once across every process: the first to claim it
   * runs it; any other gets `block` with `already_executed`.
   */
  private async claim(approval: ApprovalRequest, decision: Decision): Promise<Decision> {
    const store = this.settings.store;
    if (!store || (decision.decision !== 'proceed' && decision.decision !== 'proceed_with_log'))
      return decision;
    let claimed: boolean;
    try {
      claimed = await store.claimExecution(this.root.id, approval.approval_id);
    } catch (error) {
      this.settings.onStoreError(error);
      return this.refuse(this.calls.get(decision.call_id)!, 'block', 'store_unavailable');
    }
    if (claimed) return decision;
    return this.refuse(this.calls.get(decision.call_id)!, 'block', 'already_executed');
  }

  /**
   * Runs the approved calls of this run that were answered while nobody was waiting (the worker that
   * asked died, or was restarted): each exactly once across every process sharing the store. Returns
   * one result per call it ran or refused; calls still pending stay pending.
   */
  async resumeApproved(tools: readonly ToolDefinition[]): Promise<CallResult[]> {
    const store = this.settings.store;
    if (!store) return [];
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const results: CallResult[] = [];
    const answered = await store.listApprovals(this.root.id, {
      runId: this.id,
      statuses: ['approved', 'edited'],
    });
    for (const stored of answered) {
      const tool = byName.get(stored.request.tool);
      if (!tool) continue;
      this.adoptApproval(stored);
      const pending = this.approvals.get(stored.request.approval_id)!;
      this.markAnswered(pending);
      const value = stored.answer!;
      const applied = this.applyAnswer(
        stored.request,
        value,
        tool,
        (stored.answeredAt ?? this.settings.now()) - stored.requestedAt,
      );
      let decision =
        'decision' in applied
          ? applied.decision
          : this.finishAnswer(stored.request, await this.evaluateWithStore(applied.gate, undefined)).decision;
      decision = await this.claim(stored.request, decision);
      const input = this.calls.get(stored.request.call_id)!.args;
      results.push(await this.run(tool, input, decision, stored.request));
    }
    return results;
  }

  /** The end of every executed call: refuse, halt or run the tool, and record the outcome. */
  private async run<Input, Output>(
    tool: ToolDefinition<Input, Output>,
    input: Input,
    decision: Decision,
    approval: ApprovalRequest | undefined,
    suspends?: (error: unknown) => boolean,
  ): Promise<CallResult<Output>> {
    const callId = decision.call_id;
    if (decision.decision === 'halt') {
      this.recordOutcome(callId, { status: 'not_executed' });
      throw new RunHaltedError(decision);
    }
    if (decision.decision === 'block' || decision.decision === 'pause') {
      this.recordOutcome(callId, { status: 'not_executed' });
      return { status: 'refused', refusal: toRefusal(decision), decision, ...(approval ? { approval } : {}) };
    }
    const context: ToolContext = { runId: this.id, callId, agentId: this.agentId };
    const started = performance.now();
    try {
      const record = this.calls.get(callId);
      // Without a tracer (an invalid span context) there is no span to make active: skip the context switch.
      const output =
        record && this.traced
          ? await otelContext.with(trace.setSpan(otelContext.active(), record.span), () =>
              tool.execute(input, context),
            )
          : await tool.execute(input, context);
      const undo = tool.undo ? () => tool.undo!(input, output, context) : undefined;
      this.recordOutcome(callId, {
        status: 'executed',
        output,
        elapsedMs: performance.now() - started,
        undo,
      });
      if (this.settings.store) await this.persistExecuted(decision, approval);
      return { status: 'executed', output, decision, ...(approval ? { approval } : {}) };
    } catch (error) {
      if (suspends?.(error)) {
        const record = this.calls.get(callId);
        if (record) record.running = false;
        throw error;
      }
      this.recordOutcome(callId, { status: 'error', error, elapsedMs: performance.now() - started });
      if (this.settings.store) await this.persistExecuted(decision, approval);
      return { status: 'error', error, decision, ...(approval ? { approval } : {}) };
    }
  }

  /** On a shared store: the claimed approval is done, and the action joins the compensation log. */
  private async persistExecuted(decision: Decision, approval: ApprovalRequest | undefined): Promise<void> {
    const store = this.settings.store;
    if (!store) return;
    const record = this.calls.get(decision.call_id);
    try {
      if (approval) await store.completeExecution(this.root.id, approval.approval_id);
      if (decision.reversibility !== 'read_only') {
        await store.appendAction(this.root.id, this.id, {
          callId: decision.call_id,
          tool: decision.tool,
          reversibility: decision.reversibility,
          ...(record?.resource === undefined ? {} : { resource: record.resource }),
        });
      }
    } catch (error) {
      this.settings.onStoreError(error);
    }
  }

  /** Adds model token usage (e.g. from a framework's usage report) to the run's token count. */
  recordUsage(usage: { tokens: number }): void {
    if (!(Number.isFinite(usage.tokens) && usage.tokens >= 0)) {
      throw new OrbitError(
        'ERR_ARGUMENT_INVALID',
        `usage.tokens must be a finite number >= 0, got ${usage.tokens}.`,
      );
    }
    if (usage.tokens > 0) this.addTokens(usage.tokens);
  }

  /**
   * Rolls the run back: runs the undos of executed reversible actions in reverse order, lists partial
   * actions as a manual-recovery checklist and irreversible ones as unrecoverable, and records it all.
   */
  async rollback(): Promise<RollbackReport> {
    const { actions, omitted } = this.ledger.takeActions();
    const span = startSpan(this.settings.telemetry, SPAN.rollback, this.span);
    const report = await compensate(actions, (action, result, error) => {
      if (span.isRecording()) {
        span.addEvent(SPAN_EVENT.rollbackAction, {
          [ATTR.GEN_AI_TOOL_NAME]: action.tool,
          [ATTR.GEN_AI_TOOL_CALL_ID]: action.callId,
          [ATTR.ROLLBACK_RESULT]: result,
          [ATTR.REVERSIBILITY]: action.reversibility,
        });
      }
      if (!this.settings.sink) return;
      this.emit({
        event: 'rollback',
        call_id: action.callId,
        tool: action.tool,
        reversibility: action.reversibility,
        rollback: result,
        ...(action.resource === undefined ? {} : { resource: action.resource }),
        ...(error === undefined ? {} : { error: describeError(error) }),
      });
    });
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR.ROLLBACK_UNDONE]: report.undone.length,
        [ATTR.ROLLBACK_UNDO_FAILED]: report.undo_failed.length,
        [ATTR.ROLLBACK_MANUAL_RECOVERY]: report.manual_recovery.length,
        [ATTR.ROLLBACK_UNRECOVERABLE]: report.unrecoverable.length,
      });
    }
    span.end();
    if (Object.keys(omitted).length > 0) report.omitted = omitted;
    return report;
  }

  /** Stops the run (the kill switch): every further call halts. */
  stop(): void {
    this.markHalted();
  }

  /**
   * Ends the run: records it (with how the task ended, when the application says), ends its span and
   * its sub-agents' runs that are still open, and flushes the audit sink. `abandoned`: the task was
   * given up before completion. Ending twice does nothing.
   */
  async end(options: { outcome?: 'success' | 'failure' | 'abandoned' } = {}): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    // Sub-agent runs nobody ended end with their parent (a halted sub-agent, typically).
    for (const child of this.children) await child.end();
    if (this.span.isRecording()) {
      this.span.setAttributes({
        [ATTR.TOKENS_USED]: this.ledger.tokens,
        [ATTR.RECORDS]: this.ledger.records,
      });
      if (this.halted) this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'run halted' });
    }
    this.span.end();
    if (this.settings.sink) {
      this.emit({
        event: 'run',
        run: this.halted ? 'halted' : 'ended',
        task_outcome: options.outcome ?? (this.halted ? 'failure' : undefined),
        ...this.ledger.snapshot(),
      });
      await this.settings.sink.flush?.();
    }
    this.settings.onRunEnded?.(this);
  }

  /**
   * Records the agent's own restatement of its goal mid-task. The context-poisoning detector compares
   * it with the manifest's `task_scope`.
   */
  recordGoal(goal: string): void {
    if (this.settings.sink) this.emit({ event: 'goal', goal });
  }

  /**
   * Delegates to a sub-agent: mints a trust token for one of the manifest's sub-agent profiles,
   * attenuated from this run's own scope, and starts the sub-agent's run under it. Asking for more
   * than this run holds is refused (`block`, `scope_escalation`, naming the wider field); delegating
   * when not permitted, too deep or beyond the sub-agent limit halts this run (`RunHaltedError`).
   *
   * @example
   * const { run: researcher } = await run.delegate({ profile: 'researcher' });
   * await researcher.execute(webSearch, { query, confidence: 0.9 });
   */
  async delegate(input: DelegationRequest): Promise<DelegationResult> {
    const parsed = DelegationRequestSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new OrbitError(
        'ERR_ARGUMENT_INVALID',
        `Invalid delegation request at ${formatPath(issue.path)}: ${issue.message}`,
      );
    }
    const request = parsed.data as DelegationRequest;
    const callId = `spawn-${++this.sequence}`;
    const profile = this.settings.manifest.delegation?.profiles.find(
      (candidate) => candidate.name === request.profile,
    );
    const agentId = request.agentId ?? request.profile;
    let verdict: Verdict;
    let detail: string | undefined;
    let field: string | undefined;
    let scope: TokenScope | undefined;
    if (this.policy.blocked.has(SPAWN_TOOL)) {
      verdict = {
        decision: 'halt',
        reasons: ['tool_explicitly_blocked', 'spawn_not_permitted'],
        confidence: null,
      };
    } else {
      const notPermitted: Verdict = { decision: 'halt', reasons: ['spawn_not_permitted'], confidence: null };
      verdict = this.checkToken(undefined) ?? (this.scope.delegate.allowed ? this.checkTree() : notPermitted);
      if (verdict.decision === 'proceed') {
        const attenuated = attenuateScope(this.scope, this.depth, this.usage(), profile, request);
        if ('refusal' in attenuated) {
          const { reason, message } = attenuated.refusal;
          field = attenuated.refusal.field;
          detail = field ? `${field}: ${message}` : message;
          verdict = {
            decision: reason === 'scope_escalation' ? 'block' : 'halt',
            reasons: [reason],
            confidence: null,
          };
        } else {
          scope = attenuated.scope;
        }
      }
    }
    if (scope && !isWithin(scope, this.scope)) {
      // A backstop: attenuation never gives more than the parent holds; if it ever did, nothing is minted.
      verdict = { decision: 'block', reasons: ['scope_escalation'], confidence: null };
      detail = "the scope would be wider than the parent's";
      scope = undefined;
    }
    if (!scope) return this.refuseDelegation(callId, request, verdict, detail, field);

    // Reserve the sub-agent slot before the await, so concurrent delegations cannot overshoot.
    for (let run: Run | undefined = this; run; run = run.parent) run.subAgents++;
    const authority = await this.settings.trust();
    let minted: Awaited<ReturnType<TrustAuthority['mint']>>;
    try {
      minted = await authority.mint({
        agentId,
        runId: this.root.id,
        parent: this.token?.verified ?? null,
        manifestDigest: this.policy.digest,
        scope,
        ttlSeconds: request.ttl_seconds ?? profile?.ttl_seconds,
      });
    } catch (error) {
      for (let run: Run | undefined = this; run; run = run.parent) run.subAgents--;
      if (!(error instanceof TokenError)) throw error;
      const refused: Verdict = { decision: 'block', reasons: [error.reason], confidence: null };
      return this.refuseDelegation(callId, request, refused, error.message, error.field);
    }
    const decision = this.stamp(callId, SPAWN_TOOL, verdict);
    if (this.settings.sink) {
      this.emitDecision(decision, { tool: SPAWN_TOOL, args: request });
      this.emitToken('minted', minted.verified, [], { profile: request.profile });
    }
    const expected = { audience: agentId, runId: this.root.id, manifestDigest: this.policy.digest };
    const span = this.spawnSpan(decision, minted.verified.jti);
    const child = new Run(this.settings, {
      parent: this,
      agentId,
      token: { verified: minted.verified, authority, expected },
      parentSpan: span,
    });
    span.end();
    this.children.push(child);
    return { decision, token: minted.token, run: child, scope };
  }

  /**
   * Revokes this run's token and with it every token minted under it; for an agent's own run, every
   * token of the run tree (the kill switch). Takes effect at each sub-agent's next guarded call.
   */
  async revoke(): Promise<void> {
    const authority = await this.settings.trust();
    if (this.token) authority.revokeToken(this.token.verified.jti);
    else authority.revokeRun(this.root.id);
    // On a shared store the revocation reaches every worker at its next guarded call.
    await this.settings.store?.revoke(
      this.token ? { tokenId: this.token.verified.jti } : { treeId: this.root.id },
    );
    if (this.settings.sink)
      this.emitToken('revoked', this.token?.verified, [], this.token ? {} : { revoked_run: this.root.id });
  }

  /** The token id of this run, if it runs under one. Never the token itself. */
  get tokenId(): string | undefined {
    return this.token?.verified.jti;
  }

  private refuseDelegation(
    callId: string,
    request: DelegationRequest,
    verdict: Verdict,
    detail: string | undefined,
    field: string | undefined,
  ): DelegationResult {
    const decision = this.stamp(callId, SPAWN_TOOL, verdict, detail);
    this.admit(decision, 0, undefined);
    const span = this.spawnSpan(decision, undefined);
    if (decision.decision === 'halt' && span.isRecording()) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `halted: ${decision.reasons.join(', ')}` });
    }
    if (
      this.settings.alertRules.subAgentOutsideManifest &&
      decision.reasons.some((reason) => OUTSIDE_MANIFEST.has(reason))
    ) {
      this.raiseAlert(
        {
          alert: 'sub_agent_spawned_outside_manifest',
          severity: 'critical',
          message: `"${this.agentId}" tried to spawn sub-agent "${request.agentId ?? request.profile}" outside its manifest (${decision.reasons.join(', ')}).`,
          call_id: decision.call_id,
          tool: SPAWN_TOOL,
          reasons: decision.reasons,
          evidence: { profile: request.profile, ...(detail ? { detail } : {}) },
        },
        span,
      );
    }
    span.end();
    if (this.settings.sink) {
      this.emitDecision(decision, { tool: SPAWN_TOOL, args: request });
      this.emitToken('refused', undefined, decision.reasons, {
        profile: request.profile,
        sub_agent: request.agentId ?? request.profile,
        ...(field ? { field } : {}),
      });
    }
    if (decision.decision === 'halt') throw new RunHaltedError(decision);
    return { decision };
  }

  /**
   * The decision on a shared store: the parts that need no counts here (boundary, confidence, tier,
   * maturity level), then one atomic check-and-count in the store for every run of the chain.
   */
  private async evaluateWithStore(gate: GateRequest, request: GuardRequest | undefined): Promise<Verdict> {
    const store = this.settings.store!;
    const refused = this.checkToken(gate.confidence);
    if (refused) return refused;
    // A halt this process knows of (stop, timeout, a halted ancestor) stops the call before the store is asked.
    for (let run: Run | undefined = this; run; run = run.parent) {
      if (run.halted)
        return {
          decision: 'halt',
          reasons: ['run_halted'],
          confidence: isValidConfidence(gate.confidence) ? gate.confidence : null,
        };
    }
    const verdict = decide(this.policy, gate, UNCOUNTED);
    const tool = this.policy.tools.get(gate.tool);
    if (verdict.decision === 'halt' || !tool || request?.inputError !== undefined) {
      if (verdict.decision === 'halt')
        await store.halt(this.root.id, this.id).catch((error) => this.settings.onStoreError(error));
      return verdict;
    }
    const admits = verdict.decision === 'proceed' || verdict.decision === 'proceed_with_log';
    const resourceType = gate.resource === undefined ? undefined : resourceTypeOf(gate.resource);
    try {
      await this.ensureStarted();
      const [result, revoked] = await Promise.all([
        store.admit({
          treeId: this.root.id,
          chain: this.limitsChain(gate.tool),
          tool: gate.tool,
          records: gate.records,
          tokens: request?.tokens ?? 0,
          ...(resourceType === undefined
            ? {}
            : { resourceType, resourceTypeKnown: this.policy.knownResourceTypes?.has(resourceType) ?? true }),
          count: admits,
          // Escalation tools pass soft budgets, as in memory; an approved call has its human's consent.
          approved: gate.approved || tool.escalation,
          now: this.settings.now(),
        }),
        this.token
          ? store.isRevoked(this.root.id, [...this.token.verified.chain, this.token.verified.jti])
          : false,
      ]);
      if (revoked) return halt(verdict, 'token_revoked');
      if (result.halted) return halt(verdict, 'run_halted');
      if (result.callsExceeded) raise(verdict, 'block', 'max_calls_exceeded');
      const hard = this.policy.budgetMode === 'hard';
      const budgets: [boolean, ReasonCode][] = [
        [result.tokensExceeded, 'token_budget_exceeded'],
        [result.timeExceeded, 'time_limit_exceeded'],
        [result.recordsExceeded && gate.records > 0, 'records_budget_exceeded'],
      ];
      for (const [exceeded, reason] of budgets) {
        if (!exceeded) continue;
        if (hard) return halt(verdict, reason);
        if (!tool.escalation || reason === 'records_budget_exceeded') raise(verdict, 'pause', reason);
      }
      if (result.newResourceType && !tool.escalation) raise(verdict, 'pause', 'new_resource_type');
      if (gate.approved && verdict.decision === 'pause') verdict.decision = 'proceed_with_log';
      if (admits && !result.admitted && SEVERITY[verdict.decision] < SEVERITY.pause)
        raise(verdict, 'block', 'store_unavailable');
      return verdict;
    } catch (error) {
      this.settings.onStoreError(error);
      if (tool.reversibility === 'read_only' && this.settings.storeDownReads === 'allow') return verdict;
      verdict.reasons = [...verdict.reasons, 'store_unavailable'];
      if (SEVERITY[verdict.decision] < SEVERITY.block) verdict.decision = 'block';
      return verdict;
    }
  }

  /** The limits of this call in this run and each ancestor (budgets roll up). */
  private limitsChain(tool: string): RunLimits[] {
    const chain: RunLimits[] = [];
    for (let run: Run | undefined = this; run; run = run.parent) {
      const policy = run.policy;
      chain.push({
        runId: run.id,
        maxCalls: policy.tools.get(tool)?.maxCalls,
        maxTokens: policy.maxTokens,
        maxRecords: policy.maxRecordsPerRun,
        timeLimitMs: policy.timeLimitMs,
      });
    }
    return chain;
  }

  /** Registers this run and its ancestors in the store once (resuming keeps their counts). */
  private ensureStarted(): Promise<void> {
    if (!this.started) {
      const store = this.settings.store!;
      const ttl = Math.max(24 * 3_600_000, (this.policy.timeLimitMs ?? 0) * 2);
      this.started = Promise.all([
        this.parent?.ensureStarted(),
        store.startRun(this.root.id, this.id, this.startedAt, ttl),
      ]).then(
        () => undefined,
        (error: unknown) => {
          this.started = undefined; // try again at the next call
          throw error;
        },
      );
    }
    return this.started;
  }

  /** Takes in an approval another process raised (or this one, before a restart). */
  private adoptApproval(stored: StoredApproval): void {
    const { request } = stored;
    if (!this.approvals.has(request.approval_id)) {
      const entry = { request, answered: stored.status !== 'pending', requestedAt: stored.requestedAt };
      this.approvals.set(request.approval_id, entry);
      if (!entry.answered) this.approvals.pin(request.approval_id, entry);
    }
    if (!this.calls.get(request.call_id)) {
      const decision: Decision = {
        decision: 'pause',
        reasons: [...request.reasons],
        confidence: request.confidence,
        run_id: this.id,
        agent_id: this.agentId,
        call_id: request.call_id,
        tool: request.tool,
        reversibility: request.reversibility,
        manifest_digest: this.policy.digest,
        maturity_level: this.policy.level,
        approval: request,
      };
      const record: CallRecord = {
        decision,
        requestArgs: request.args,
        args: request.args,
        records: 0,
        resource: undefined,
        outcome: false,
        span: this.span,
      };
      this.calls.set(request.call_id, record);
      if (stored.status === 'pending') this.calls.pin(request.call_id, record);
    }
  }

  /** The run's decision: its token first, then its own policy, then every ancestor's budgets and limits. */
  private evaluate(gate: GateRequest): Verdict {
    const refused = this.checkToken(gate.confidence);
    if (refused) return refused;
    const verdict = decide(this.policy, gate, this.ledger);
    if (verdict.decision === 'halt') return verdict;
    for (let run = this.parent; run; run = run.parent) {
      if (run.halted) return halt(verdict, 'run_halted');
      const tool = run.policy.tools.get(gate.tool);
      if (tool && run.ledger.callsOf(gate.tool) >= tool.maxCalls)
        raise(verdict, 'block', 'max_calls_exceeded');
      if (checkBudgets(run.policy, gate.records, tool?.escalation !== true, run.ledger, verdict))
        return verdict;
    }
    if (gate.approved && verdict.decision === 'pause') verdict.decision = 'proceed_with_log';
    return verdict;
  }

  /** The per-call token check (cached signature, expiry, revocation, audience, run, digest). */
  private checkToken(confidence: unknown): Verdict | undefined {
    if (!this.token) return undefined;
    const reason = this.token.authority.checkVerified(this.token.verified, this.token.expected);
    if (!reason) return undefined;
    if (this.settings.sink) this.emitToken('verification_failed', this.token.verified, [reason]);
    return {
      decision: 'halt',
      reasons: [reason],
      confidence: isValidConfidence(confidence) ? confidence : null,
    };
  }

  /** A delegation needs every run up the tree to be running and to have a sub-agent left. */
  private checkTree(): Verdict {
    for (let run: Run | undefined = this; run; run = run.parent) {
      if (run.halted) return { decision: 'halt', reasons: ['run_halted'], confidence: null };
      if (run !== this && run.scope.delegate.max_sub_agents - run.subAgents < 1) {
        return { decision: 'halt', reasons: ['sub_agent_limit_exceeded'], confidence: null };
      }
    }
    return { decision: 'proceed', reasons: [], confidence: null };
  }

  private usage(): ScopeUsage {
    const { ledger } = this;
    return {
      callsOf: (tool) => ledger.callsOf(tool),
      tokens: ledger.tokens,
      records: ledger.records,
      elapsedMs: ledger.elapsedMs,
      subAgents: this.subAgents,
    };
  }

  /** Describes a call's `execute_tool` span (only when it records). */
  private describeCallSpan(record: CallRecord, request: GuardRequest): void {
    const { decision, span } = record;
    span.setAttributes({
      [ATTR.GEN_AI_OPERATION_NAME]: 'execute_tool',
      [ATTR.GEN_AI_TOOL_NAME]: decision.tool,
      [ATTR.GEN_AI_TOOL_CALL_ID]: decision.call_id,
      [ATTR.DECISION]: decision.decision,
      [ATTR.REASONS]: decision.reasons,
      [ATTR.REVERSIBILITY]: decision.reversibility,
      [ATTR.MANIFEST_DIGEST]: decision.manifest_digest,
      [ATTR.RECORDS]: record.records,
      [ATTR.TOKENS_USED]: this.ledger.tokens,
    });
    if (decision.confidence !== null) span.setAttribute(ATTR.CONFIDENCE, decision.confidence);
    // Each attribute costs the SDK ~90 ns: the run id is on the parent span, the resource in the audit log.
    if (this.token) {
      span.setAttribute(ATTR.TOKEN_ID, this.token.verified.jti);
      span.setAttribute(ATTR.TOKEN_DEPTH, this.depth);
    }
    if (decision.approval) span.setAttribute(ATTR.APPROVAL_ID, decision.approval.approval_id);
    const policy = this.policy;
    if (policy.maxTokens !== undefined) {
      span.setAttribute(
        ATTR.BUDGET_TOKENS_REMAINING,
        policy.maxTokens + this.ledger.extraTokens - this.ledger.tokens,
      );
    }
    if (policy.maxRecordsPerRun !== undefined && record.records > 0) {
      span.setAttribute(
        ATTR.BUDGET_RECORDS_REMAINING,
        policy.maxRecordsPerRun + this.ledger.extraRecords - this.ledger.records,
      );
    }
    const tool = policy.tools.get(decision.tool);
    if (tool)
      span.setAttribute(ATTR.BUDGET_CALLS_REMAINING, tool.maxCalls - this.ledger.callsOf(decision.tool));
    if (this.settings.telemetry.recordInputs) {
      const value = attributeValue(this.settings.telemetry, decision.tool, 'input', request.args);
      if (value !== undefined) span.setAttribute(ATTR.GEN_AI_TOOL_CALL_ARGUMENTS, value);
    }
  }

  /**
   * Raises an alert: an `alert` audit event, a span event on `span` (or the run's), and a call to every
   * notifier. A notifier that throws or rejects is reported, never allowed to break the run.
   */
  raiseAlert(
    alert: Omit<Alert, 'ts' | 'run_id' | 'agent_id' | 'manifest_digest'>,
    span: Span = this.span,
  ): void {
    const full: Alert = {
      ts: this.settings.timestamp(),
      run_id: this.id,
      agent_id: this.agentId,
      manifest_digest: this.policy.digest,
      ...alert,
    };
    if (span.isRecording()) {
      span.addEvent(SPAN_EVENT.alert, {
        [ATTR.ALERT]: full.alert,
        [ATTR.ALERT_SEVERITY]: full.severity,
        [ATTR.ALERT_MESSAGE]: full.message,
      });
    }
    if (this.settings.sink) {
      this.emit({
        event: 'alert',
        alert: full.alert,
        severity: full.severity,
        message: full.message,
        call_id: full.call_id,
        tool: full.tool,
        reasons: full.reasons,
        evidence: full.evidence,
      });
      void this.settings.sink.flush?.();
    }
    for (const notify of this.settings.notifiers) {
      try {
        const delivered = notify(full);
        if (delivered) delivered.catch((error) => reportNotifierError(error, full));
      } catch (error) {
        reportNotifierError(error, full);
      }
    }
  }

  /** The alert rules that look at one decision. */
  private checkDecisionAlerts(decision: Decision, span: Span): void {
    const rules = this.settings.alertRules;
    if (
      rules.irreversibleBelowFloor &&
      decision.reversibility === 'irreversible' &&
      (decision.confidence === null || decision.confidence < this.policy.floor) &&
      this.policy.tools.has(decision.tool)
    ) {
      this.raiseAlert(
        {
          alert: 'irreversible_confidence_below_floor',
          severity: 'critical',
          message: `Irreversible "${decision.tool}" attempted at confidence ${decision.confidence ?? 'none'}, below the floor ${this.policy.floor} (${decision.decision}).`,
          call_id: decision.call_id,
          tool: decision.tool,
          reasons: decision.reasons,
          evidence: {
            confidence: decision.confidence,
            floor: this.policy.floor,
            decision: decision.decision,
          },
        },
        span,
      );
    }
    if (
      rules.tokenBudgetExceeded &&
      decision.reasons.includes('token_budget_exceeded') &&
      !this.alerted.has('token_budget')
    ) {
      this.alerted.add('token_budget');
      this.raiseAlert(
        {
          alert: 'token_budget_exceeded_mid_task',
          severity: 'medium',
          message: `"${this.agentId}" exceeded its token budget mid-task (${this.ledger.tokens} tokens used, budget ${this.policy.maxTokens}).`,
          call_id: decision.call_id,
          tool: decision.tool,
          reasons: decision.reasons,
          evidence: { tokens: this.ledger.tokens, budget: this.policy.maxTokens },
        },
        span,
      );
    }
  }

  /** The alert rule on the count of executed irreversible actions (once per run). */
  private checkIrreversibleCount(decision: Decision, span: Span): void {
    this.irreversibleExecuted++;
    const max = this.settings.alertRules.maxIrreversible;
    if (this.irreversibleExecuted <= max || this.alerted.has('irreversible')) return;
    this.alerted.add('irreversible');
    this.raiseAlert(
      {
        alert: 'irreversible_actions_over_threshold',
        severity: 'critical',
        message: `"${this.agentId}" has executed ${this.irreversibleExecuted} irreversible actions in this run, above the threshold of ${max}.`,
        call_id: decision.call_id,
        tool: decision.tool,
        evidence: { count: this.irreversibleExecuted, threshold: max },
      },
      span,
    );
  }

  /** The `execute_tool spawn_sub_agent` span of a delegation: the sub-agent's run nests under it. */
  private spawnSpan(decision: Decision, tokenId: string | undefined): Span {
    const span = startSpan(this.settings.telemetry, SPAN.executeTool(SPAWN_TOOL), this.span);
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR.GEN_AI_OPERATION_NAME]: 'execute_tool',
        [ATTR.GEN_AI_TOOL_NAME]: SPAWN_TOOL,
        [ATTR.GEN_AI_TOOL_CALL_ID]: decision.call_id,
        [ATTR.DECISION]: decision.decision,
        [ATTR.REASONS]: decision.reasons,
        [ATTR.MANIFEST_DIGEST]: decision.manifest_digest,
        [ATTR.RUN_ID]: this.id,
      });
      if (tokenId) span.setAttribute(ATTR.DELEGATION_TOKEN_ID, tokenId);
    }
    return span;
  }

  /** Ends the `orbit.await_approval` span with the answer. */
  private endWait(record: CallRecord, answer: string, approver: string | undefined, waitedMs: number): void {
    const { span, waitSpan } = record;
    if (span.isRecording()) {
      span.setAttribute(ATTR.APPROVAL_ANSWER, answer);
      span.setAttribute(ATTR.APPROVAL_WAIT_MS, waitedMs);
      if (approver) span.setAttribute(ATTR.APPROVAL_APPROVER, approver);
      span.addEvent(SPAN_EVENT.approvalAnswered, { [ATTR.APPROVAL_ANSWER]: answer });
    }
    if (waitSpan) {
      if (waitSpan.isRecording()) waitSpan.setAttribute(ATTR.APPROVAL_ANSWER, answer);
      waitSpan.end();
      record.waitSpan = undefined;
    }
  }

  /** Ends a call's span with its outcome. */
  private endCallSpan(record: CallRecord, status: string, output: unknown, error: unknown): void {
    const { span } = record;
    if (span.isRecording()) {
      const decision = record.effective ?? record.decision;
      span.setAttribute(ATTR.STATUS, status);
      if (record.effective) span.setAttribute(ATTR.DECISION, decision.decision);
      if (record.effective) span.setAttribute(ATTR.REASONS, decision.reasons);
      if (status === 'executed' && this.settings.telemetry.recordOutputs) {
        const value = attributeValue(this.settings.telemetry, decision.tool, 'output', output);
        if (value !== undefined) span.setAttribute(ATTR.GEN_AI_TOOL_CALL_RESULT, value);
      }
      if (status === 'error') {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      } else if (decision.decision === 'halt') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: `halted: ${decision.reasons.join(', ')}` });
      }
    }
    span.end();
  }

  /** An approval got its answer (or timed out): it no longer needs to be kept. */
  private markAnswered(entry: { request: ApprovalRequest; answered: boolean }): void {
    entry.answered = true;
    this.approvals.unpin(entry.request.approval_id);
  }

  /** A generated call id no caller-chosen id can collide with. */
  private nextCallId(): string {
    let id: string;
    do id = `call-${++this.sequence}`;
    while (this.calls.has(id));
    return id;
  }

  private addTokens(tokens: number): void {
    for (let run: Run | undefined = this; run; run = run.parent) run.ledger.tokens += tokens;
  }

  private emitToken(
    what: 'minted' | 'refused' | 'verification_failed' | 'revoked',
    token: VerifiedToken | undefined,
    reasons: ReasonCode[],
    extra: Record<string, unknown> = {},
  ): void {
    const about = token
      ? {
          token_id: token.jti,
          parent_token_id: token.parent_jti,
          depth: token.depth,
          sub_agent: token.sub,
          scope: token.scope,
          expires_at: new Date(token.exp * 1000).toISOString(),
        }
      : {};
    this.emit({ event: 'token', token: what, ...about, ...(reasons.length ? { reasons } : {}), ...extra });
  }

  private async awaitApproval(
    request: ApprovalRequest,
    tool: ToolShape,
  ): Promise<{ decision: Decision; args: unknown }> {
    const handler = this.settings.approvalHandler;
    const store = this.settings.store;
    const warning = this.warnBeforeExpiry(request);
    try {
      return await this.waitForHuman(request, tool, handler, store);
    } finally {
      clearTimeout(warning);
    }
  }

  /**
   * Warns before an approval expires: an `approval` event with `expiring`, a span event, and an
   * `approval_expiring` alert to the notifiers, so a person can still answer. At 80% of the timeout.
   */
  private warnBeforeExpiry(request: ApprovalRequest): NodeJS.Timeout {
    const timeout = this.settings.approvalTimeoutMs;
    const timer = setTimeout(
      () => {
        const expiresAt = new Date(
          this.approvals.get(request.approval_id)!.requestedAt + timeout,
        ).toISOString();
        if (this.settings.sink) this.emitApproval(request, 'expiring', { expires_at: expiresAt });
        this.raiseAlert(
          {
            alert: 'approval_expiring',
            severity: 'medium',
            message: `Approval ${request.approval_id} for "${request.tool}" expires at ${expiresAt}; unanswered, it will be denied as a timeout.`,
            call_id: request.call_id,
            tool: request.tool,
            evidence: { approval_id: request.approval_id, expires_at: expiresAt },
          },
          this.calls.get(request.call_id)?.span,
        );
      },
      Math.floor(timeout * 0.8),
    );
    timer.unref?.();
    return timer;
  }

  private async waitForHuman(
    request: ApprovalRequest,
    tool: ToolShape,
    handler: ApprovalHandler | undefined,
    store: RunStore | undefined,
  ): Promise<{ decision: Decision; args: unknown }> {
    if (store && !handler) {
      // Someone else answers (a console, another process): wait for the store to say so.
      const answered = await store
        .waitForAnswer(this.root.id, request.approval_id, this.settings.approvalTimeoutMs)
        .catch((error) => {
          this.settings.onStoreError(error);
          return undefined;
        });
      if (answered?.answer) return this.takeStoredAnswer(answered, tool);
      const decision = await this.expireAsync(request.approval_id, tool);
      return { decision, args: this.calls.get(request.call_id)?.args ?? request.args };
    }
    if (!handler) return { decision: this.expireApproval(request.approval_id), args: request.args };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.settings.approvalTimeoutMs);
    });
    try {
      const answer = await Promise.race([
        Promise.resolve()
          .then(() => handler(request, controller.signal))
          .catch((error: unknown) => {
            // A handler that fails gave no answer: it counts as nobody answering (a timeout), never as a human.
            console.warn(
              `[orbit] the approval handler failed on ${request.approval_id}; recorded as a timeout:`,
              error,
            );
            return 'timeout' as const;
          }),
        timeout,
      ]);
      if (answer === 'timeout') {
        controller.abort();
        const decision = store
          ? await this.expireAsync(request.approval_id, tool)
          : this.expireApproval(request.approval_id);
        return { decision, args: this.calls.get(request.call_id)?.args ?? request.args };
      }
      return store
        ? this.answerAsync(request.approval_id, answer, tool)
        : this.answer(request.approval_id, answer, tool);
    } finally {
      clearTimeout(timer);
    }
  }

  private stamp(callId: string, tool: string, verdict: ReturnType<typeof decide>, detail?: string): Decision {
    const policy = this.policy;
    return {
      ...verdict,
      run_id: this.id,
      agent_id: this.agentId,
      call_id: callId,
      tool,
      reversibility: policy.tools.get(tool)?.reversibility ?? 'partial',
      manifest_digest: policy.digest,
      maturity_level: policy.level,
      ...(detail === undefined ? {} : { detail }),
    };
  }

  /** Counts an admitted call in the same step as its decision; a halt stops the run. */
  private admit(decision: Decision, records: number, resource: string | undefined): void {
    if (decision.decision === 'proceed' || decision.decision === 'proceed_with_log') {
      const type = resource === undefined ? undefined : resourceTypeOf(resource);
      for (let run: Run | undefined = this; run; run = run.parent)
        run.ledger.count(decision.tool, records, type);
    } else if (decision.decision === 'halt') {
      this.markHalted();
    }
  }

  /** Halts this run here and, on a shared store, for every worker. */
  private markHalted(): void {
    this.ledger.halted = true;
    const store = this.settings.store;
    if (store) void store.halt(this.root.id, this.id).catch((error) => this.settings.onStoreError(error));
  }

  private refuse(record: CallRecord, kind: 'block' | 'halt', reason: ReasonCode, detail?: string): Decision {
    const base = record.decision;
    const verdict = { decision: kind, reasons: [...base.reasons, reason], confidence: base.confidence };
    record.effective = this.stamp(base.call_id, base.tool, verdict, detail);
    return record.effective;
  }

  private openApproval(decision: Decision, args: unknown): ApprovalRequest {
    const request: ApprovalRequest = {
      approval_id: randomUUID(),
      run_id: this.id,
      agent_id: this.agentId,
      call_id: decision.call_id,
      tool: decision.tool,
      args,
      decision: decision.decision,
      reasons: decision.reasons,
      confidence: decision.confidence,
      reversibility: decision.reversibility,
      action_hash: actionHash(this.id, decision.call_id, decision.tool, args),
      requested_at: new Date(this.settings.now()).toISOString(),
      allowed_answers: ['approve', 'deny', 'edit'],
      context: {
        task_scope: this.settings.manifest.task_scope,
        maturity_level: this.policy.level,
        ledger: this.ledger.snapshot(),
      },
    };
    const entry = { request, answered: false, requestedAt: this.settings.now() };
    this.approvals.set(request.approval_id, entry);
    this.approvals.pin(request.approval_id, entry);
    return request;
  }

  /** The `approval` `requested` event and span event, written after the call's decision event. */
  private emitApprovalRequested(request: ApprovalRequest, span: Span): void {
    if (span.isRecording())
      span.addEvent(SPAN_EVENT.approvalRequested, { [ATTR.APPROVAL_ID]: request.approval_id });
    if (this.settings.sink) this.emitApproval(request, 'requested', { reasons: [...request.reasons] });
  }

  /** One `approval` audit event: the request it is about, what happened to it, and the details. */
  private emitApproval(
    request: ApprovalRequest,
    what: NonNullable<AuditEvent['approval']>,
    details: Partial<AuditEvent>,
  ): void {
    this.emit({
      event: 'approval',
      call_id: request.call_id,
      tool: request.tool,
      approval_id: request.approval_id,
      action_hash: request.action_hash,
      approval: what,
      ...details,
    });
  }

  private emitDecision(
    decision: Decision,
    request: Pick<GuardRequest, 'tool' | 'args' | 'records' | 'resource' | 'tokens'>,
  ): void {
    // Built field by field (no spreads): this runs on every guarded call when a sink is set.
    const event = this.callEvent('decision', decision);
    event.maturity_level = decision.maturity_level;
    event.input = this.redacted(decision.tool, 'input', request.args);
    event.records = request.records ?? 0;
    event.resource = request.resource;
    event.tokens = request.tokens;
    event.approval_id = decision.approval?.approval_id;
    event.detail = decision.detail;
    if (this.token) event.token_id = this.token.verified.jti;
    this.settings.sink!.write(event);
    // Pauses and halts are the events an operator needs first: do not leave them in a buffer.
    if (decision.decision === 'pause' || decision.decision === 'halt') void this.settings.sink!.flush?.();
  }

  private redacted(tool: string, field: 'input' | 'output', value: unknown): unknown {
    return this.settings.redact ? this.settings.redact(value, { tool, field }) : value;
  }

  private emit(fields: Partial<AuditEvent> & { event: AuditEvent['event'] }): void {
    const event = this.newEvent(fields.event);
    this.settings.sink!.write(Object.assign(event, fields));
  }

  /** A `decision` or `outcome` event with the call's fields, built field by field (a hot path). */
  private callEvent(kind: 'decision' | 'outcome', decision: Decision): AuditEvent {
    const event = this.newEvent(kind);
    event.call_id = decision.call_id;
    event.tool = decision.tool;
    event.reversibility = decision.reversibility;
    event.confidence = decision.confidence;
    event.decision = decision.decision;
    event.reasons = decision.reasons;
    return event;
  }

  /** An event with the fields every event carries. Fields left `undefined` are not written. */
  private newEvent(kind: AuditEvent['event']): AuditEvent {
    return {
      ts: this.settings.timestamp(),
      event: kind,
      run_id: this.id,
      parent_run_id: this.parentId,
      agent_id: this.agentId,
      manifest_digest: this.policy.digest,
    };
  }
}

/** SHA-256 over the run, the call, the tool and its canonical arguments: what an approval answer is bound to. */
export function actionHash(runId: string, callId: string, tool: string, args: unknown): string {
  return sha256(canonicalJson({ run_id: runId, call_id: callId, tool, args: args ?? null }));
}

/** Delegation refusals that mean a sub-agent was asked for outside the manifest's rules. */
const OUTSIDE_MANIFEST = new Set<ReasonCode>([
  'spawn_not_permitted',
  'sub_agent_limit_exceeded',
  'delegation_depth_exceeded',
  'scope_escalation',
  'tool_explicitly_blocked',
]);

/** A state with nothing counted: on a shared store, the counts are checked in the store instead. */
const UNCOUNTED: GateState = {
  halted: false,
  callsOf: () => 0,
  tokens: 0,
  records: 0,
  elapsedMs: 0,
  hasSeenResourceType: () => true,
  extraTokens: 0,
  extraRecords: 0,
  extraMs: 0,
};

/** Tokens and records come from frameworks' usage reports and tools' counters: refuse what is not a count. */
function checkCounts(request: GuardRequest): void {
  const { tokens, records } = request;
  if (tokens !== undefined && !(Number.isFinite(tokens) && tokens >= 0))
    badCount('tokens', tokens, request.tool);
  if (records !== undefined && !(Number.isFinite(records) && records >= 0))
    badCount('records', records, request.tool);
}

function badCount(field: string, value: unknown, tool: string): never {
  throw new OrbitError(
    'ERR_ARGUMENT_INVALID',
    `${field} must be a finite number >= 0, got ${String(value)} (call to "${tool}").`,
  );
}

function parseAnswer(approvalId: string, answer: unknown): ApprovalAnswer {
  const parsed = ApprovalAnswerSchema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApprovalError(
      'ERR_APPROVAL_ANSWER_INVALID',
      `Invalid approval answer at ${formatPath(issue.path)}: ${issue.message}`,
      approvalId,
    );
  }
  return parsed.data;
}

function storeAnswerError(
  reason: 'unknown' | 'already_answered' | 'hash_mismatch',
  approvalId: string,
): ApprovalError {
  if (reason === 'unknown')
    return new ApprovalError('ERR_APPROVAL_UNKNOWN', `No approval "${approvalId}" in the store.`, approvalId);
  if (reason === 'already_answered') {
    return new ApprovalError(
      'ERR_APPROVAL_ALREADY_ANSWERED',
      `Approval "${approvalId}" was already answered; the first answer stands.`,
      approvalId,
    );
  }
  return new ApprovalError(
    'ERR_APPROVAL_HASH_MISMATCH',
    `The answer to approval "${approvalId}" is bound to other arguments; it was refused and the request is still pending.`,
    approvalId,
  );
}

function reportNotifierError(error: unknown, alert: Alert): void {
  console.error(`[orbit] a notifier failed on alert ${alert.alert} (run ${alert.run_id}):`, error);
}

function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

/** The arguments a call runs with, and a human's edit as given when there was one. */
function argsOf(record: CallRecord): { args: unknown; editedArgs?: unknown } {
  return record.editedArgs === undefined
    ? { args: record.args }
    : { args: record.args, editedArgs: record.editedArgs };
}
