import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditLogBuilder, seeded } from '../../test/audit-log-builder.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { type AuditMetrics, computeMetrics } from './compute-metrics.js';

const agentOf = (metrics: AuditMetrics, id = 'agent-a') => {
  const agent = metrics.agents[id];
  if (!agent) throw new Error(`no metrics for ${id}`);
  return agent;
};

/** The metrics with every number rounded to 12 decimals. */
const rounded = (metrics: AuditMetrics): unknown =>
  JSON.parse(
    JSON.stringify(metrics, (_, value) => (typeof value === 'number' ? Number(value.toFixed(12)) : value)),
  );

async function* asAsync(events: readonly AuditEvent[]): AsyncGenerator<AuditEvent> {
  for (const event of events) yield event;
}

describe('computeMetrics: decisions and interrupts', () => {
  it('counts decisions by kind, per agent, per tool and per tier', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    for (let i = 0; i < 12; i++) log.decision({ tool: 'read', tier: 'read_only', decision: 'proceed' });
    for (let i = 0; i < 3; i++)
      log.decision({ tool: 'draft', tier: 'reversible', decision: 'proceed_with_log' });
    for (let i = 0; i < 4; i++) log.paused({ tool: 'send', tier: 'irreversible' });
    log.decision({ tool: 'send', tier: 'irreversible', decision: 'block', reasons: ['irreversible_action'] });
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.decisions).toBe(20);
    expect(agent.decisionsByKind).toEqual({ proceed: 12, proceed_with_log: 3, pause: 4, block: 1, halt: 0 });
    expect(agent.tools['send']?.decisionsByKind).toMatchObject({ pause: 4, block: 1 });
    expect(agent.tiers.read_only.decisions).toBe(12);
    expect(agent.tiers.partial.decisions).toBe(0);
    expect(agent.reasons).toEqual({ below_tool_threshold: 4, irreversible_action: 1 });
  });

  it('computes the interrupt rate as pauses over decisions', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    for (let i = 0; i < 15; i++) log.decision({ tool: 'read', tier: 'read_only' });
    for (let i = 0; i < 5; i++) log.paused({ tool: 'update', tier: 'partial', answer: 'approve' });
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.interrupts).toBe(5);
    expect(agent.interruptRate).toBe(0.25);
    expect(agent.tools['update']?.interruptRate).toBe(1);
    expect(agent.tools['read']?.interruptRate).toBe(0);
    expect(agent.tiers.irreversible.interruptRate).toBeNull();
  });

  it('counts halts for calls outside the manifest, and only those, as boundary halts', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.decision({ tool: 'merge', decision: 'halt', reasons: ['tool_explicitly_blocked'] });
    log.decision({ tool: 'wipe', decision: 'halt', reasons: ['tool_not_in_manifest'] });
    log.decision({ tool: 'update', decision: 'halt', reasons: ['run_halted'] });
    log.decision({ tool: 'update', decision: 'halt', reasons: ['token_budget_exceeded'] });
    expect(agentOf(computeMetrics(log.events)).boundaryHalts).toBe(2);
  });
});

describe('computeMetrics: human answers', () => {
  it('computes the override rate over human answers only: (deny + edit) / (approve + deny + edit)', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    for (const answer of ['approve', 'approve', 'approve', 'approve', 'approve', 'approve'] as const)
      log.paused({ answer });
    for (const answer of ['deny', 'deny', 'deny', 'edit'] as const) log.paused({ answer });
    log.paused({ answer: 'timeout' });
    log.paused({ answer: 'timeout' });
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.answers).toEqual({
      approve: 6,
      deny: 3,
      edit: 1,
      timeout: 2,
      no_approval_handler: 0,
      approval_handler_failed: 0,
    });
    expect(agent.humanAnswers).toBe(10);
    expect(agent.humanOverrides).toBe(4);
    expect(agent.humanOverrideRate).toBe(0.4);
  });

  it('has no override rate when nobody answered (timeouts are not answers)', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.paused({ answer: 'timeout' });
    expect(agentOf(computeMetrics(log.events)).humanOverrideRate).toBeNull();
  });

  it('splits interrupts into human-resolved (answered) and agent-resolved (timed out, or escalated by the agent)', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.paused({ answer: 'approve' });
    log.paused({ answer: 'deny' });
    log.paused({ answer: 'edit' });
    log.paused({ answer: 'timeout' });
    log.paused({ answer: 'timeout' });
    log.paused({}); // still waiting when the log ends
    log.decision({ tool: 'flag_for_human_review', tier: 'read_only', decision: 'proceed' });
    log.decision({ tool: 'flag_for_human_review', tier: 'read_only', decision: 'block' }); // not admitted
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.resolution).toEqual({
      human: 3,
      agent: 3,
      timeout: 2,
      noApprovalHandler: 0,
      handlerFailed: 0,
      escalated: 1,
      pending: 1,
      agentResolvedShare: 0.5,
    });
    expect(agent.tools['flag_for_human_review']?.resolution.escalated).toBe(1);
  });

  it('counts pauses nobody could answer on their own (no handler, a failed handler): not timeouts, not human answers, no latency', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.paused({ answer: 'approve', waitedMs: 4000 });
    log.paused({ answer: 'timeout', waitedMs: 900_000 });
    log.paused({ answer: 'no_approval_handler', waitedMs: 0 });
    log.paused({ answer: 'no_approval_handler', waitedMs: 0 });
    log.paused({ answer: 'approval_handler_failed', waitedMs: 12 });
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.answers).toEqual({
      approve: 1,
      deny: 0,
      edit: 0,
      timeout: 1,
      no_approval_handler: 2,
      approval_handler_failed: 1,
    });
    expect(agent.resolution).toEqual({
      human: 1,
      agent: 1,
      timeout: 1,
      noApprovalHandler: 2,
      handlerFailed: 1,
      escalated: 0,
      pending: 0,
      agentResolvedShare: 0.5,
    });
    expect(agent.humanAnswers).toBe(1);
    expect(agent.approvalLatencyMs).toEqual({ count: 1, p50: 4000, p90: 4000, max: 4000 });
    expect(agent.calibration).toEqual([{ confidence: 0.9, answered: 1, overridden: 0 }]);
  });

  it('takes the escalation tools from the options', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.decision({ tool: 'ask_a_human', decision: 'proceed_with_log' });
    log.decision({ tool: 'flag_for_human_review', decision: 'proceed' });
    const agent = agentOf(computeMetrics(log.events, { escalationTools: ['ask_a_human'] }));
    expect(agent.resolution.escalated).toBe(1);
    expect(agent.tools['ask_a_human']?.resolution.escalated).toBe(1);
  });

  it('reports nearest-rank p50, p90 and max of the waits of human answers, timeouts excluded', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    const random = seeded(7);
    const waits = Array.from({ length: 100 }, (_, i) => (i + 1) * 1000).sort(() => random() - 0.5);
    for (const [i, waitedMs] of waits.entries())
      log.paused({ answer: i % 3 === 0 ? 'deny' : 'approve', waitedMs });
    log.paused({ answer: 'timeout', waitedMs: 900_000 });
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.approvalLatencyMs).toEqual({ count: 100, p50: 50_000, p90: 90_000, max: 100_000 });
  });

  it('joins each answer to its paused decision by run and call, so answers count for the decision’s tier', () => {
    const log = new AuditLogBuilder();
    const first = log.startRun('run-1');
    const shared = log.paused({ tool: 'send', tier: 'irreversible', callId: 'call-1' });
    log.startRun('run-2');
    log.paused({ tool: 'send', tier: 'irreversible', callId: 'call-1', answer: 'approve' });
    log.answer(shared, 'deny', 5000, { tool: 'send', runId: first });
    const agent = agentOf(computeMetrics(log.events));

    expect(agent.tiers.irreversible.answers).toMatchObject({ approve: 1, deny: 1 });
    expect(agent.tiers.irreversible.humanOverrideRate).toBe(0.5);
    expect(agent.tiers.partial.humanAnswers).toBe(0);
  });

  it('counts an answer whose decision is not in the input for its agent and tool, not for a tier', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.answer('call-from-another-file', 'deny', 100, { tool: 'send' });
    const agent = agentOf(computeMetrics(log.events));
    expect(agent.humanOverrides).toBe(1);
    expect(agent.tools['send']?.humanOverrides).toBe(1);
    expect(agent.tools['send']?.calibration).toEqual([]);
    expect(Object.values(agent.tiers).every((tier) => tier.humanAnswers === 0)).toBe(true);
  });

  it('records human answers by the confidence of the decision they answer (the calibration points)', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.paused({ confidence: 0.7, answer: 'deny' });
    log.paused({ confidence: 0.7, answer: 'approve' });
    log.paused({ confidence: 0.9, answer: 'approve' });
    log.paused({ confidence: 0.6, answer: 'timeout' });
    log.paused({ confidence: null, answer: 'edit' });
    expect(agentOf(computeMetrics(log.events)).tools['update']?.calibration).toEqual([
      { confidence: 0.7, answered: 2, overridden: 1 },
      { confidence: 0.9, answered: 1, overridden: 0 },
    ]);
  });
});

/** A run that starts and ends at once. */
const endedRun = (log: AuditLogBuilder, ...end: Parameters<AuditLogBuilder['endRun']>) => {
  log.startRun();
  log.endRun(...end);
};

describe('computeMetrics: runs', () => {
  it('counts task success and abandonment; a run that started and never ended is abandoned', () => {
    const log = new AuditLogBuilder();
    for (let i = 0; i < 5; i++) endedRun(log, 'success');
    for (let i = 0; i < 2; i++) endedRun(log, 'failure');
    endedRun(log, 'failure', { halted: true });
    endedRun(log, 'abandoned');
    endedRun(log);
    log.startRun();
    log.startRun();
    const { runs } = agentOf(computeMetrics(log.events));

    expect(runs).toEqual({
      started: 12,
      ended: 10,
      halted: 1,
      success: 5,
      failure: 3,
      abandoned: 3,
      neverEnded: 2,
      unreported: 1,
      open: 0,
      taskSuccessRate: 5 / 11,
      abandonmentRate: 3 / 11,
    });
  });

  it('counts a run that started within openRunGraceMs of the log’s end as open, not abandoned', () => {
    const log = new AuditLogBuilder();
    endedRun(log, 'success');
    log.startRun(); // an hour before the end
    log.at({ days: 1 / 24 });
    endedRun(log, 'success');
    const { runs } = agentOf(computeMetrics(log.events, { openRunGraceMs: 2 * 3_600_000 }));
    expect(runs).toMatchObject({ open: 1, abandoned: 0, taskSuccessRate: 1 });
    expect(agentOf(computeMetrics(log.events)).runs).toMatchObject({ open: 0, abandoned: 1 });
  });

  it('measures days in production from the agent’s first to its last event, and the levels seen', () => {
    const log = new AuditLogBuilder({ start: '2026-01-01T00:00:00Z' });
    log.startRun();
    log.decision({ level: 1 });
    log.at('2026-02-15T12:00:00Z');
    log.decision({ level: 2 });
    const agent = agentOf(computeMetrics(log.events));
    expect(agent.firstEvent).toBe('2026-01-01T00:00:00.000Z');
    expect(agent.lastEvent).toBe('2026-02-15T12:00:00.000Z');
    expect(agent.daysInProduction).toBeCloseTo(45.5, 6);
    expect(agent.maturityLevels).toEqual([1, 2]);
  });

  it('keeps agents apart', () => {
    const a = new AuditLogBuilder({ agentId: 'a' });
    const b = new AuditLogBuilder({ agentId: 'b' });
    a.startRun();
    a.paused({ answer: 'deny' });
    b.startRun();
    b.paused({ answer: 'approve' });
    const metrics = computeMetrics([...a.events, ...b.events]);
    expect(Object.keys(metrics.agents).sort()).toEqual(['a', 'b']);
    expect(agentOf(metrics, 'a').humanOverrideRate).toBe(1);
    expect(agentOf(metrics, 'b').humanOverrideRate).toBe(0);
  });
});

describe('computeMetrics: confidence', () => {
  it('bins confidences into fixed bins over [0, 1] (1 in the last) and averages them; null counts as missing', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    for (const confidence of [0, 0.05, 0.1, 0.3, 0.95, 1, null]) log.decision({ confidence });
    const { confidence } = agentOf(computeMetrics(log.events));
    expect(confidence.bins).toEqual([2, 1, 0, 1, 0, 0, 0, 0, 0, 2]);
    expect(confidence.count).toBe(6);
    expect(confidence.missing).toBe(1);
    expect(confidence.mean).toBeCloseTo((0 + 0.05 + 0.1 + 0.3 + 0.95 + 1) / 6, 12);
    expect(agentOf(computeMetrics(log.events, { bins: 4 })).confidence.bins).toEqual([3, 1, 0, 2]);
  });

  const periods = {
    baseline: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
    current: { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' },
  };

  /** 500 decisions in January and 500 in February, with confidences drawn from `draw`. */
  function twoMonths(january: () => number, february: () => number): AuditEvent[] {
    const log = new AuditLogBuilder({ start: '2026-01-02T00:00:00Z' });
    log.startRun();
    for (let i = 0; i < 500; i++) log.decision({ confidence: january() });
    log.at('2026-02-02T00:00:00Z');
    for (let i = 0; i < 500; i++) log.decision({ confidence: february() });
    return log.events;
  }

  it('finds no drift (PSI ≈ 0, stable) when both periods draw from the same distribution', () => {
    const random = seeded(1);
    const draw = () => 0.6 + 0.4 * random();
    const agent = agentOf(computeMetrics(twoMonths(draw, draw), { drift: periods }));
    expect(agent.drift?.psi).toBeLessThan(0.1);
    expect(agent.drift?.interpretation).toBe('stable');
    expect(agent.drift?.baseline.count).toBe(500);
    expect(agent.drift?.current.count).toBe(500);
  });

  it('finds exactly zero drift when the periods hold identical confidences', () => {
    const values = Array.from({ length: 500 }, (_, i) => (i % 50) / 50);
    let j = 0;
    let k = 0;
    const events = twoMonths(
      () => values[j++]!,
      () => values[k++]!,
    );
    expect(agentOf(computeMetrics(events, { drift: periods })).drift?.psi).toBeCloseTo(0, 12);
  });

  it('finds significant drift (PSI > 0.25) when the confidences shift down', () => {
    const random = seeded(2);
    const agent = agentOf(
      computeMetrics(
        twoMonths(
          () => 0.7 + 0.3 * random(),
          () => 0.4 + 0.3 * random(),
        ),
        { drift: periods },
      ),
    );
    expect(agent.drift?.psi).toBeGreaterThan(0.25);
    expect(agent.drift?.interpretation).toBe('significant');
    expect(agent.tools['update']?.drift?.interpretation).toBe('significant');
  });

  it('reports insufficient data when a period holds no confidence, and no drift without the option', () => {
    const log = new AuditLogBuilder({ start: '2026-01-02T00:00:00Z' });
    log.startRun();
    log.decision({ confidence: 0.9 });
    const agent = agentOf(computeMetrics(log.events, { drift: periods }));
    expect(agent.drift).toMatchObject({ psi: null, interpretation: 'insufficient_data' });
    expect(agentOf(computeMetrics(log.events)).drift).toBeNull();
  });
});

describe('computeMetrics: input and output', () => {
  function mixedLog(): AuditEvent[] {
    const log = new AuditLogBuilder();
    const random = seeded(3);
    for (let r = 0; r < 5; r++) {
      log.startRun();
      for (let i = 0; i < 8; i++) {
        const confidence = Math.round(random() * 100) / 100;
        if (i % 3 === 0) log.decision({ tool: 'read', tier: 'read_only', confidence });
        else
          log.paused({
            tool: i % 2 ? 'send' : 'update',
            tier: i % 2 ? 'irreversible' : 'partial',
            confidence,
            answer: confidence < 0.5 ? 'deny' : random() < 0.1 ? 'timeout' : 'approve',
            waitedMs: Math.round(random() * 60_000),
          });
      }
      if (r < 4) log.endRun(r % 2 ? 'success' : 'failure');
    }
    return log.events;
  }

  it('gives the same metrics for an async iterable as for an array', async () => {
    const events = mixedLog();
    const promised = computeMetrics(asAsync(events));
    expect(promised).toBeInstanceOf(Promise);
    expect(await promised).toEqual(computeMetrics(events));
  });

  it('is plain JSON: a round trip through JSON.stringify changes nothing', () => {
    const metrics = computeMetrics(mixedLog(), {
      drift: {
        baseline: { from: 0, to: Date.parse('2026-01-01T00:00:30Z') },
        current: { from: new Date('2026-01-01T00:00:30Z'), to: '2027-01-01' },
      },
    });
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
    expect(JSON.stringify(metrics)).not.toMatch(/NaN|Infinity/);
  });

  it('does not depend on the order of the events (answers before their decisions, files out of order)', () => {
    const events = mixedLog();
    const expected = computeMetrics(events);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        (shuffled) => {
          // Means are sums of floats: equal up to rounding, whatever the order.
          expect(rounded(computeMetrics(shuffled))).toEqual(rounded(expected));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('skips event kinds and values it does not know', () => {
    const log = new AuditLogBuilder();
    log.startRun();
    log.decision();
    const base = computeMetrics(log.events);
    const extra = [
      ...log.events,
      { ...log.events[1]!, event: 'telemetry_ping' } as unknown as AuditEvent,
      { ...log.events[1]!, event: 'approval', approval: 'escalated' } as unknown as AuditEvent,
    ];
    expect(agentOf(computeMetrics(extra))).toEqual(agentOf(base));
  });

  it('refuses invalid options with ERR_OPTIONS_INVALID naming the option', () => {
    expect(() => computeMetrics([], { bins: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
    );
    expect(() =>
      computeMetrics([], {
        drift: { baseline: { from: '2026-02-01', to: '2026-01-01' }, current: { from: 0, to: 1 } },
      }),
    ).toThrow(/drift\.baseline/);
    expect(() =>
      computeMetrics([], { drift: { baseline: { from: 'soon', to: 1 }, current: { from: 0, to: 1 } } }),
    ).toThrow(/drift\.baseline\.from/);
    expect(() => computeMetrics(42 as unknown as AuditEvent[])).toThrow(/iterable/);
  });

  it('returns no agents for no events', () => {
    expect(computeMetrics([])).toEqual({
      events: 0,
      firstEvent: null,
      lastEvent: null,
      bins: 10,
      drift: null,
      agents: {},
    });
  });
});
