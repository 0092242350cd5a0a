import type { Finding } from '../src/exports/detectors.js';
import type { AuditEvent, Detector } from '../src/index.js';

/** Synthetic audit events of one run, in the shape `Run` writes them; override any field. */
export function runEvents(runId = 'run-1', defaults: { agentId?: string; parentRunId?: string | null } = {}) {
  let calls = 0;
  const event = (kind: AuditEvent['event'], fields: Partial<AuditEvent> = {}): AuditEvent => ({
    ts: '2026-05-01T09:00:00.000Z',
    event: kind,
    run_id: runId,
    parent_run_id: defaults.parentRunId ?? null,
    agent_id: defaults.agentId ?? 'agent',
    manifest_digest: 'sha256:test',
    ...fields,
  });
  const decision = (tool: string, fields: Partial<AuditEvent> = {}): AuditEvent =>
    event('decision', {
      call_id: `call-${++calls}`,
      tool,
      reversibility: 'partial',
      confidence: 0.95,
      decision: 'proceed',
      reasons: [],
      ...fields,
    });
  const outcome = (of: AuditEvent, fields: Partial<AuditEvent> = {}): AuditEvent =>
    event('outcome', {
      call_id: of.call_id,
      tool: of.tool,
      reversibility: of.reversibility,
      confidence: of.confidence,
      decision: of.decision,
      reasons: of.reasons,
      resource: of.resource,
      status: 'executed',
      ...fields,
    });
  return {
    event,
    started: () => event('run', { run: 'started' }),
    ended: () => event('run', { run: 'ended' }),
    halted: () => event('run', { run: 'halted', task_outcome: 'failure' }),
    decision,
    outcome,
    /** A decision and its executed outcome. */
    call(tool: string, fields: Partial<AuditEvent> = {}, status: AuditEvent['status'] = 'executed') {
      const decided = decision(tool, fields);
      return [decided, outcome(decided, { status })];
    },
    approval: (of: AuditEvent, approval: AuditEvent['approval'], fields: Partial<AuditEvent> = {}) =>
      event('approval', { call_id: of.call_id, tool: of.tool, approval, ...fields }),
    goal: (goal: string) => event('goal', { goal }),
    token: (token: AuditEvent['token'], fields: Partial<AuditEvent> = {}) =>
      event('token', { token, ...fields }),
  };
}

/** Feeds events to a detector in order and returns every finding. */
export function feed(detector: Detector, ...events: (AuditEvent | AuditEvent[])[]): Finding[] {
  return events.flat().flatMap((event) => [...detector.observe(event)]);
}
