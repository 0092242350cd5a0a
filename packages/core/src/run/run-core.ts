import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import type { RunAlert } from '../alerts/alert.js';
import { deepFreeze } from '../deep-freeze.js';
import { freezePolicy, type Policy } from '../gate/policy.js';
import type { ReasonCode } from '../gate/reason-codes.js';
import { tierOf } from '../gate/tier.js';
import { isValidConfidence, type Verdict } from '../gate/verdict.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { trace } from '../telemetry/telemetry.js';
import { scopedPolicy } from '../trust/scoped-policy.js';
import type { ScopeUsage, TokenScope } from '../trust/token-scope.js';
import { CallBook, type CallRecord } from './call-book.js';
import type { Decision } from './decision.js';
import { Recorder } from './recorder.js';
import { type AlertingRun, raiseAlert } from './run-alerts.js';
import type { BoundToken, RunSettings } from './run-settings.js';

/** Why the store refused a run at its start: the reason its calls halt with, and the error `run.ready()` throws. */
export interface StartRefusal {
  readonly reason: ReasonCode;
  readonly error: Error;
}

/** How a run is opened (internal). */
export interface RunOptions {
  runId?: string;
  parentRunId?: string;
  parent?: RunCore;
  token?: BoundToken;
  agentId?: string;
  /** The span this run's `invoke_agent` span nests under (the delegating call's). */
  parentSpan?: Span;
  /** Taken up from the store (`resumeRun`): calls it has not seen may have paused in another process. */
  resumed?: boolean;
  /** A resumed run the store does not know starts as a new run (the adapter kit's threads). */
  startIfMissing?: boolean;
}

/**
 * The state of one run, held privately by its `Run` facade and handed to the modules that decide,
 * ask, execute and delegate. Nothing outside the core can reach it, so no caller can change a
 * halted run, a ledger or a count to get around a decision.
 */
export class RunCore implements AlertingRun {
  readonly id: string;
  readonly parentId: string | null;
  readonly agentId: string;
  /** The policy this run decides with: its manifest's, or the scope of its trust token. */
  readonly policy: Policy;
  readonly parent: RunCore | undefined;
  /** The root of this run's tree: its id is the `run_id` of every token in the tree. */
  readonly root: RunCore;
  /** This run and its ancestors, nearest first: the one ancestor walk every rule uses. */
  readonly lineage: readonly RunCore[];
  /** 0 for an agent's own run, parent + 1 for a sub-agent. */
  readonly depth: number;
  /** What this run may do and delegate (frozen). */
  readonly scope: TokenScope;
  readonly token: BoundToken | undefined;
  readonly settings: RunSettings;
  readonly ledger: MemoryLedger;
  readonly book: CallBook;
  readonly recorder: Recorder;
  readonly startedAt: number;
  /** Taken up from the store: calls it has not seen may have paused in another process. */
  readonly resumed: boolean;
  /** A tracer is set: the run's span has a valid context (it may still be sampled out). */
  readonly traced: boolean;
  /** Sub-agents created in this run's subtree so far. */
  subAgents = 0;
  ended = false;
  readonly children: RunCore[] = [];
  /** Call ids between the start and the end of their (asynchronous) decision. */
  readonly deciding = new Set<string>();
  /**
   * The store knows this run and its ancestors (`startRun` done), or the reason it refused them
   * (`run_state_lost`, `run_manifest_changed`, `manifest_downgrade`).
   */
  started: Promise<StartRefusal | undefined> | undefined;
  /** A resumed run the store does not know starts as a new run. */
  readonly startIfMissing: boolean;
  sequence = 0;
  irreversibleExecuted = 0;
  readonly alerted = new Set<string>();
  /** The `Run` that holds this core (set by it): parents, roots and children are the same objects every time. */
  facade: object | undefined;
  /** The policy as callers see it: a read-only copy (the gate reads `policy`, which nobody else holds). */
  private view: Policy | undefined;

  constructor(settings: RunSettings, options: RunOptions = {}) {
    this.settings = settings;
    this.id = options.runId ?? randomUUID();
    this.parent = options.parent;
    this.root = options.parent?.root ?? this;
    this.lineage = options.parent ? [this, ...options.parent.lineage] : [this];
    this.parentId = options.parent?.id ?? options.parentRunId ?? null;
    this.token = options.token;
    this.resumed = options.resumed === true;
    this.startIfMissing = options.startIfMissing === true;
    this.depth = options.token?.verified.depth ?? 0;
    this.scope = deepFreeze(options.token?.verified.scope ?? settings.rootScope);
    this.policy = options.token
      ? scopedPolicy(settings.policy, this.scope, options.agentId!)
      : settings.policy;
    this.agentId = this.policy.agentId;
    this.ledger = new MemoryLedger(settings.now);
    this.startedAt = settings.now();
    this.book = new CallBook(settings.maxTrackedCalls);
    settings.onRunStarted?.(this.id, (alert: RunAlert) => raiseAlert(this, alert));
    this.recorder = new Recorder(this, options.parentSpan);
    this.traced = trace.isSpanContextValid(this.recorder.span.spanContext());
  }

  /** The read-only copy of the policy that `run.policy` hands out. */
  get policyView(): Policy {
    this.view ??= freezePolicy(this.policy);
    return this.view;
  }

  /** True once the run (or, on a store, the run as this process knows it) has halted. */
  get halted(): boolean {
    return this.ledger.halted;
  }

  /** A verdict stamped with the run, the call, the tool and the manifest. */
  stamp(callId: string, tool: string, verdict: Verdict, detail?: string, comment?: string): Decision {
    const policy = this.policy;
    // Built field by field (no spreads): this runs on every guarded call. Frozen: the decision a
    // caller holds is the run's own record (replays, outcomes and rollback read its tool, tier and
    // kind), so nobody may rewrite it.
    const toolPolicy = policy.tools.get(tool);
    // The call's own tier (reversibility_when, the tool's hook), else its tool's.
    const reversibility =
      verdict.tier !== undefined && toolPolicy?.escalation !== true ? verdict.tier : tierOf(toolPolicy);
    const decision: { -readonly [K in keyof Decision]: Decision[K] } = {
      decision: verdict.decision,
      reasons: verdict.reasons,
      confidence: verdict.confidence,
      run_id: this.id,
      agent_id: this.agentId,
      call_id: callId,
      tool,
      reversibility,
      manifest_digest: policy.digest,
      maturity_level: policy.level,
    };
    if (verdict.rules !== undefined) decision.rules = verdict.rules;
    if (detail !== undefined) decision.detail = detail;
    if (comment !== undefined) decision.comment = comment;
    return Object.freeze(decision);
  }

  /**
   * Refuses a recorded call after the fact (a denial, a timeout, a lost claim): its effective decision.
   * `notes.comment` is what the person who denied it said.
   */
  refuse(
    record: CallRecord,
    kind: 'block' | 'halt',
    reason: ReasonCode,
    notes: { detail?: string; comment?: string } = {},
  ): Decision {
    const base = record.decision;
    const verdict: Verdict = {
      decision: kind,
      reasons: [...base.reasons, reason],
      confidence: base.confidence,
    };
    if (base.reversibility !== 'escalation') verdict.tier = base.reversibility;
    if (base.rules !== undefined) verdict.rules = [...base.rules];
    record.effective = this.stamp(base.call_id, base.tool, verdict, notes.detail, notes.comment);
    return record.effective;
  }

  /** Halts this run here and, on a shared store, for every worker. */
  markHalted(): void {
    this.ledger.halted = true;
    const store = this.settings.store;
    if (store) void store.halt(this.root.id, this.id).catch((error) => this.settings.onStoreError(error));
  }

  /** Adds model tokens to this run and every ancestor (budgets roll up). */
  addTokens(tokens: number): void {
    for (const run of this.lineage) run.ledger.tokens += tokens;
  }

  /** A generated call id no caller-chosen id can collide with. */
  nextCallId(): string {
    let id: string;
    do id = `call-${++this.sequence}`;
    while (this.book.calls.has(id));
    return id;
  }

  /**
   * The per-call token check (cached signature, expiry, revocation, audience, run, digest); for an
   * agent's own run, which has no token, whether its tree was revoked (the kill switch stops it too).
   */
  checkToken(confidence: unknown): Verdict | undefined {
    const { token } = this;
    let reason: ReasonCode | undefined;
    if (token) reason = token.authority.checkVerified(token.verified, token.expected);
    else if (this.settings.treeRevoked(this.root.id)) reason = 'token_revoked';
    if (!reason) return undefined;
    this.recorder.token(
      'verification_failed',
      token?.verified,
      [reason],
      token ? {} : { revoked_run: this.root.id },
    );
    return {
      decision: 'halt',
      reasons: [reason],
      confidence: isValidConfidence(confidence) ? confidence : null,
    };
  }

  /** This run's usage, as delegation reads it. */
  usage(): ScopeUsage {
    const { ledger } = this;
    return {
      callsOf: (tool) => ledger.callsOf(tool),
      tokens: ledger.tokens,
      records: ledger.records,
      elapsedMs: ledger.elapsedMs,
      subAgents: this.subAgents,
    };
  }
}
