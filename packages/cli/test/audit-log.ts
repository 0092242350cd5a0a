// Test support: audit logs built the way a run writes them (modelled on the core's
// packages/core/test/audit-log-builder.ts), with a clock, deterministic data and no randomness.
import type { AuditEvent } from '@orbit-agents/core';

type Answer = 'approve' | 'deny' | 'edit' | 'timeout';

/** Audit events of one agent, one second apart unless the clock is moved. */
export class AuditLog {
  readonly events: AuditEvent[] = [];
  private ms: number;
  private sequence = 0;
  private runId = 'run-0';

  constructor(
    readonly agentId: string,
    start = '2026-11-23T09:00:00Z',
  ) {
    this.ms = Date.parse(start);
  }

  /** Moves the clock to an ISO time. */
  at(time: string): this {
    this.ms = Date.parse(time);
    return this;
  }

  startRun(): this {
    this.runId = `${this.agentId}-run-${++this.sequence}`;
    this.push({ event: 'run', run: 'started', run_id: this.runId });
    return this;
  }

  endRun(outcome: 'success' | 'failure' | 'abandoned', halted = false): this {
    this.push({ event: 'run', run: halted ? 'halted' : 'ended', run_id: this.runId, task_outcome: outcome });
    return this;
  }

  /** A call the gate let run. */
  proceed(tool: string, confidence: number, tier = 'partial', level = 2): this {
    this.decision(tool, confidence, 'proceed', [], tier, level);
    return this;
  }

  /** A call the gate halted (outside the manifest); the run halts with it. */
  halt(tool: string, confidence: number): this {
    this.decision(tool, confidence, 'halt', ['tool_explicitly_blocked'], 'irreversible', 2);
    return this;
  }

  /** A paused call and its answer after `waitedMs`. */
  paused(tool: string, confidence: number, answer: Answer, waitedMs: number, tier = 'partial'): this {
    const callId = this.decision(tool, confidence, 'pause', ['below_tool_threshold'], tier, 2);
    const base = { run_id: this.runId, call_id: callId, tool, approval_id: `approval-${callId}` };
    this.push({ event: 'approval', ...base, approval: 'requested' });
    this.ms += waitedMs;
    this.push({
      event: 'approval',
      ...base,
      approval: answer,
      waited_ms: waitedMs,
      ...(answer === 'timeout' ? {} : { approver: 'maria@finance' }),
    });
    return this;
  }

  jsonl(): string {
    return this.events.map((event) => `${JSON.stringify(event)}\n`).join('');
  }

  private decision(
    tool: string,
    confidence: number,
    decision: string,
    reasons: string[],
    tier: string,
    level: number,
  ): string {
    const callId = `call-${++this.sequence}`;
    this.push({
      event: 'decision',
      run_id: this.runId,
      call_id: callId,
      tool,
      reversibility: tier,
      confidence,
      decision,
      reasons,
      maturity_level: level,
    } as Partial<AuditEvent> & Pick<AuditEvent, 'event' | 'run_id'>);
    return callId;
  }

  private push(fields: Partial<AuditEvent> & Pick<AuditEvent, 'event' | 'run_id'>): void {
    this.events.push({
      ts: new Date(this.ms).toISOString(),
      parent_run_id: null,
      agent_id: this.agentId,
      manifest_digest: 'sha256-test',
      ...fields,
    } as AuditEvent);
    this.ms += 1000;
  }
}

/**
 * Two weeks of an invoice agent at level 2: 14 days (2026-11-23 to 2026-12-06), three runs a day.
 * Week 1 is confident (0.9+) and its pauses are mostly approved; week 2 drifts down (0.6-0.8) and its
 * pauses are denied or edited more. Day 10 has a halt (a blocked tool), day 12 a run that never ends,
 * and one pause a day times out on the last days.
 */
export function invoiceAgentLog(agentId = 'invoice-agent'): AuditLog {
  const log = new AuditLog(agentId);
  for (let d = 0; d < 14; d++) {
    const date = new Date(Date.parse('2026-11-23T09:00:00Z') + d * 86_400_000).toISOString();
    log.at(date);
    const late = d >= 7;
    for (let r = 0; r < 3; r++) {
      log.startRun();
      const base = late ? 0.62 + ((d + r) % 5) * 0.04 : 0.9 + ((d + r) % 5) * 0.02;
      log.proceed('update_invoice_status', Math.min(1, base + 0.05));
      log.proceed('lookup_invoice', 0.97, 'read_only');
      const answers: Answer[] = late ? ['deny', 'approve', 'edit'] : ['approve', 'approve', 'approve'];
      log.paused('update_invoice_status', base, answers[r]!, 1000 * (5 + d + r * 7));
      if (d === 10 && r === 1) {
        log.halt('merge_crm_accounts', 0.7);
        log.endRun('failure', true);
        continue;
      }
      if (d === 12 && r === 2) continue; // never ends
      if (d >= 12 && r === 0) log.paused('send_refund', 0.7, 'timeout', 60_000, 'irreversible');
      log.endRun(late && r === 1 ? 'failure' : 'success');
    }
  }
  return log;
}
