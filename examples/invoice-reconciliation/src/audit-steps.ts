import type { AuditEvent, AuditSink, Decision } from '@orbit-agents/core';
import type { StepReport } from './run-core.js';

interface CallTrace {
  decided: AuditEvent;
  answered?: AuditEvent;
  outcome?: AuditEvent;
}

/**
 * An audit sink that passes every event on and keeps, per call, what the demo's report shows: the
 * decision, the human's answer and the outcome. On LangGraph the tool calls run inside the graph, so
 * the report is read back from ORBIT's own record of them, the audit events.
 */
export class StepRecorder implements AuditSink {
  private readonly calls = new Map<string, CallTrace>();

  constructor(private readonly next?: AuditSink) {}

  write(event: AuditEvent): void {
    this.next?.write(event);
    if (event.call_id === undefined) return;
    const key = `${event.run_id}\u0000${event.call_id}`;
    if (event.event === 'decision') {
      // A call is decided once; a framework re-running a node must not make it a second step.
      if (!this.calls.has(key)) this.calls.set(key, { decided: event });
      return;
    }
    const call = this.calls.get(key);
    if (!call) return;
    if (event.event === 'outcome') call.outcome = event;
    else if (event.event === 'approval' && event.approval !== 'requested' && event.approval !== 'expiring')
      call.answered = event;
  }

  flush(): void | Promise<void> {
    return this.next?.flush?.();
  }

  /** The calls in the order they were decided, as the core-only run reports them. */
  steps(): StepReport[] {
    return [...this.calls.values()].map(({ decided, answered, outcome }) => {
      // The outcome carries the decision the call ended with (after a human's answer).
      const final = outcome ?? decided;
      const decision: Decision = {
        decision: final.decision!,
        reasons: final.reasons ?? [],
        confidence: final.confidence ?? null,
        run_id: decided.run_id,
        agent_id: decided.agent_id,
        call_id: decided.call_id!,
        tool: decided.tool!,
        reversibility: decided.reversibility!,
        manifest_digest: decided.manifest_digest,
        maturity_level: decided.maturity_level ?? 0,
        ...(typeof decided.detail === 'string' ? { detail: decided.detail } : {}),
      };
      const status: StepReport['status'] =
        outcome?.status === 'executed' || outcome?.status === 'error'
          ? outcome.status
          : decision.decision === 'halt'
            ? 'halted'
            : 'refused';
      const approval = answered ? describeAnswer(answered) : undefined;
      return {
        tool: decision.tool,
        confidence: decided.confidence ?? Number.NaN,
        decision,
        paused: decided.decision === 'pause',
        status,
        ...(approval ? { approval } : {}),
      };
    });
  }
}

function describeAnswer(event: AuditEvent): string {
  switch (event.approval) {
    case 'approve':
      return `approved by ${event.approver}`;
    case 'deny':
      return `denied by ${event.approver}`;
    case 'edit':
      return `edited by ${event.approver}`;
    default:
      return 'timed out';
  }
}
