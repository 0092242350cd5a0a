// Test support for the metrics tests: builds audit events the way a run emits them.
import type { AuditEvent } from '../src/audit/audit-event.js';
import type { DecisionKind, ReasonCode } from '../src/gate/reason-codes.js';
import type { Reversibility } from '../src/manifest/manifest-schema.js';

type Answer = 'approve' | 'deny' | 'edit' | 'timeout' | 'no_approval_handler' | 'approval_handler_failed';

export interface CallSpec {
  tool?: string;
  tier?: Reversibility;
  confidence?: number | null;
  decision?: DecisionKind;
  reasons?: ReasonCode[];
  runId?: string;
  callId?: string;
  level?: number;
}

/** A synthetic audit log of one agent with a clock that ticks one second per event unless set. */
export class AuditLogBuilder {
  readonly events: AuditEvent[] = [];
  readonly agentId: string;
  private ms: number;
  private sequence = 0;
  private runId = 'run-0';

  constructor(options: { agentId?: string; start?: string } = {}) {
    this.agentId = options.agentId ?? 'agent-a';
    this.ms = Date.parse(options.start ?? '2026-01-01T00:00:00Z');
  }

  /** Moves the clock to a time (ISO) or forward by a number of days. */
  at(time: string | { days: number }): this {
    this.ms = typeof time === 'string' ? Date.parse(time) : this.ms + time.days * 86_400_000;
    return this;
  }

  startRun(runId = `run-${++this.sequence}`): string {
    this.runId = runId;
    this.push({ event: 'run', run: 'started', run_id: runId });
    return runId;
  }

  endRun(
    outcome?: 'success' | 'failure' | 'abandoned',
    options: { halted?: boolean; runId?: string } = {},
  ): this {
    this.push({
      event: 'run',
      run: options.halted ? 'halted' : 'ended',
      run_id: options.runId ?? this.runId,
      ...(outcome ? { task_outcome: outcome } : {}),
    });
    return this;
  }

  /** One `decision` event; returns its call id. */
  decision(spec: CallSpec = {}): string {
    const callId = spec.callId ?? `call-${++this.sequence}`;
    this.push({
      event: 'decision',
      run_id: spec.runId ?? this.runId,
      call_id: callId,
      tool: spec.tool ?? 'update',
      reversibility: spec.tier ?? 'partial',
      confidence: spec.confidence === undefined ? 0.9 : spec.confidence,
      decision: spec.decision ?? 'proceed',
      reasons: spec.reasons ?? [],
      maturity_level: spec.level ?? 2,
    });
    return callId;
  }

  /** An `approval` answer (or timeout) to a paused call. */
  answer(
    callId: string,
    approval: Answer,
    waitedMs: number,
    spec: { tool?: string; runId?: string } = {},
  ): this {
    this.push({
      event: 'approval',
      run_id: spec.runId ?? this.runId,
      call_id: callId,
      tool: spec.tool ?? 'update',
      approval_id: `approval-${callId}`,
      approval,
      waited_ms: waitedMs,
      ...(approval === 'timeout' ||
      approval === 'no_approval_handler' ||
      approval === 'approval_handler_failed'
        ? {}
        : { approver: 'reviewer' }),
    });
    return this;
  }

  /** A paused call, its approval request and its answer (when given). Returns the call id. */
  paused(spec: CallSpec & { answer?: Answer; waitedMs?: number }): string {
    const callId = this.decision({
      ...spec,
      decision: 'pause',
      reasons: spec.reasons ?? ['below_tool_threshold'],
    });
    this.push({
      event: 'approval',
      run_id: spec.runId ?? this.runId,
      call_id: callId,
      tool: spec.tool ?? 'update',
      approval_id: `approval-${callId}`,
      approval: 'requested',
    });
    if (spec.answer) this.answer(callId, spec.answer, spec.waitedMs ?? 1000, spec);
    return callId;
  }

  /** The events as JSONL text. */
  jsonl(): string {
    return this.events.map((event) => `${JSON.stringify(event)}\n`).join('');
  }

  private push(fields: Partial<AuditEvent> & Pick<AuditEvent, 'event' | 'run_id'>): void {
    this.events.push({
      ts: new Date(this.ms).toISOString(),
      parent_run_id: null,
      agent_id: this.agentId,
      manifest_digest: 'sha256-test',
      ...fields,
    });
    this.ms += 1000;
  }
}

/** A seeded generator of numbers in [0, 1) (mulberry32), so synthetic data is the same on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
