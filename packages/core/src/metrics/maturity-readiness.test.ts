import { describe, expect, it } from 'vitest';
import { AuditLogBuilder, type CallSpec, seeded } from '../../test/audit-log-builder.js';
import type { MaturityLevel } from '../gate/decision-table.js';
import { computeMetrics } from './compute-metrics.js';
import { DEFAULT_READINESS_CRITERIA, maturityReadiness } from './maturity-readiness.js';

type Answer = 'approve' | 'deny' | 'edit' | 'timeout';

/**
 * An agent's history: `runs` runs spread over `days`, each with `reads` read-only decisions and the
 * paused calls `pauses(run)` returns; every run ends with `outcome(run)` (default success).
 */
function history(options: {
  days: number;
  runs: number;
  reads: number;
  level: MaturityLevel;
  pauses: (run: number) => (CallSpec & { answer: Answer })[];
  outcome?: (run: number) => 'success' | 'failure' | 'abandoned' | 'unreported' | 'never_ends';
}) {
  const log = new AuditLogBuilder({ agentId: 'invoices' });
  for (let run = 0; run < options.runs; run++) {
    if (run > 0) log.at({ days: options.days / (options.runs - 1) });
    log.startRun();
    for (let i = 0; i < options.reads; i++)
      log.decision({ tool: 'search', tier: 'read_only', level: options.level, confidence: 0.95 });
    for (const pause of options.pauses(run)) log.paused({ level: options.level, ...pause });
    const outcome = (options.outcome ?? (() => 'success'))(run);
    if (outcome === 'unreported') log.endRun();
    else if (outcome !== 'never_ends') log.endRun(outcome);
  }
  return computeMetrics(log.events);
}

/** A level-2 agent over 100 days: 560 decisions, 60 approvals of which one was denied, all runs succeed. */
const healthyLevel2 = () =>
  history({
    days: 100,
    runs: 20,
    reads: 25,
    level: 2,
    pauses: (run) =>
      [0, 1, 2].map((i) => ({
        tool: 'update',
        tier: 'partial',
        answer: run === 7 && i === 0 ? 'deny' : 'approve',
      })),
  });

/**
 * A level-3 agent over 200 days: 1360 decisions, 160 irreversible approvals with confidence in
 * [0.85, 1], one denied.
 */
function healthyLevel3(irreversiblePerRun = 4) {
  const random = seeded(11);
  return history({
    days: 200,
    runs: 40,
    reads: 30,
    level: 3,
    pauses: (run) =>
      Array.from({ length: irreversiblePerRun }, (_, i) => ({
        tool: 'send',
        tier: 'irreversible' as const,
        confidence: Math.round((0.85 + 0.15 * random()) * 100) / 100,
        answer: run === 3 && i === 0 ? ('deny' as const) : ('approve' as const),
      })),
  });
}

describe('maturityReadiness', () => {
  it('is ready for level 3 when a level-2 agent meets every default criterion', () => {
    const readiness = maturityReadiness(healthyLevel2(), 'invoices', 2);
    expect(readiness.reasons).toEqual([]);
    expect(readiness).toMatchObject({ ready: true, currentLevel: 2, nextLevel: 3 });
    expect(readiness.checks.every((check) => check.passed)).toBe(true);
    expect(readiness.checks.map((check) => check.criterion)).toEqual([
      'minDaysInProduction',
      'minDecisions',
      'minAnsweredApprovals',
      'maxOverrideRate',
      'maxInterruptRate',
      'minTaskSuccessRate',
      'maxAbandonmentRate',
      'maxBoundaryHalts',
    ]);
    expect(readiness.evidence).toMatchObject({
      decisions: 560,
      humanAnswers: 60,
      humanOverrides: 1,
      interrupts: 60,
      runsWithOutcome: 20,
      taskSuccessRate: 1,
      boundaryHalts: 0,
      maturityLevels: [2],
      irreversibleThreshold: null,
    });
    expect(readiness.evidence.daysInProduction).toBeGreaterThan(99);
    expect(readiness.evidence.humanOverrideUpperBound).toBeLessThan(0.1);
  });

  it('is not ready, and says why, when the track record is short, corrected often and out of bounds', () => {
    const log = new AuditLogBuilder({ agentId: 'invoices' });
    for (let run = 0; run < 10; run++) {
      log.at({ days: 1 });
      log.startRun();
      log.decision({ tool: 'search', tier: 'read_only' });
      log.paused({ answer: run < 3 ? 'deny' : 'approve' });
      if (run < 8) log.endRun('success');
    }
    log.decision({ tool: 'merge_crm_accounts', decision: 'halt', reasons: ['tool_explicitly_blocked'] });
    const readiness = maturityReadiness(computeMetrics(log.events), 'invoices', 2);

    expect(readiness.ready).toBe(false);
    expect(readiness.checks.filter((check) => !check.passed).map((check) => check.criterion)).toEqual([
      'minDaysInProduction',
      'minDecisions',
      'minAnsweredApprovals',
      'maxOverrideRate',
      'maxInterruptRate',
      'minTaskSuccessRate',
      'maxAbandonmentRate',
      'maxBoundaryHalts',
    ]);
    expect(readiness.reasons).toEqual([
      expect.stringMatching(/^9\.0 days in production .*level 3 needs at least 90$/),
      '21 decisions; level 3 needs at least 500',
      '10 human-answered approvals; at least 50 are needed to judge the override rate',
      expect.stringMatching(
        /^human override rate 30\.0% \(3 of 10\), 95\.0% upper bound \d+\.\d%; at most 10\.0% allowed$/,
      ),
      'interrupt rate 47.6% (10 pauses in 21 decisions); at most 30.0% allowed',
      'task success rate 80.0% over 10 runs; at least 90.0% needed',
      'task abandonment rate 20.0% over 10 runs (runs that never ended count as abandoned); at most 5.0% allowed',
      '1 halts for calls outside the manifest; at most 0 allowed',
    ]);
  });

  it('does not check the interrupt rate when leaving level 1, where every write pauses', () => {
    const metrics = history({
      days: 35,
      runs: 40,
      reads: 1,
      level: 1,
      pauses: (run) => [0, 1, 2].map((i) => ({ answer: run % 7 === 0 && i === 0 ? 'deny' : 'approve' })),
    });
    const readiness = maturityReadiness(metrics, 'invoices', 1);
    expect(readiness.evidence.interruptRate).toBe(0.75);
    expect(readiness).toMatchObject({ ready: true, nextLevel: 2, reasons: [] });
    expect(readiness.checks.some((check) => check.criterion === 'maxInterruptRate')).toBe(false);
  });

  it('derives the irreversible threshold from the level-3 approvals before level 4', () => {
    const readiness = maturityReadiness(healthyLevel3(), 'invoices', 3);
    expect(readiness.reasons).toEqual([]);
    expect(readiness).toMatchObject({ ready: true, nextLevel: 4 });
    const threshold = readiness.evidence.irreversibleThreshold;
    expect(threshold).toMatchObject({ sampleSize: 160, confidenceLevel: 0.95 });
    expect(threshold?.threshold).toBeGreaterThanOrEqual(0.85);
    expect(readiness.checks.at(-1)).toMatchObject({
      criterion: 'irreversibleCalibration',
      passed: true,
      limit: 0.05,
    });
  });

  it('is not ready for level 4 when the irreversible approvals cannot calibrate a threshold', () => {
    const base = healthyLevel3(0);
    const readiness = maturityReadiness(base, 'invoices', 3, {
      minAnsweredApprovals: 0,
      maxOverrideRate: null,
    });
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.filter((check) => !check.passed).map((check) => check.criterion)).toEqual([
      'irreversibleCalibration',
    ]);
    expect(readiness.reasons).toEqual([
      'no confidence threshold for irreversible actions can be derived from the 0 human answers to irreversible approval requests (insufficient_samples; target override rate 5.0%, at least 30 answers)',
    ]);
  });

  it('fails a check without data rather than passing it', () => {
    const approvals = () => [
      { answer: 'approve' as const },
      { answer: 'approve' as const },
      { answer: 'approve' as const },
    ];
    const unreported = history({
      days: 100,
      runs: 20,
      reads: 25,
      level: 2,
      pauses: approvals,
      outcome: () => 'unreported',
    });
    expect(maturityReadiness(unreported, 'invoices', 2).reasons).toEqual([
      'no run reported a task outcome: the task success rate is unknown (end runs with { outcome })',
      'no run reported a task outcome: the abandonment rate is unknown',
    ]);
    const silent = history({ days: 100, runs: 20, reads: 25, level: 2, pauses: () => [] });
    expect(maturityReadiness(silent, 'invoices', 2, { minAnsweredApprovals: 0 }).reasons).toEqual([
      'no human-answered approvals: the human override rate is unknown',
    ]);
  });

  it('counts runs that never end as abandoned', () => {
    const approvals = () => [
      { answer: 'approve' as const },
      { answer: 'approve' as const },
      { answer: 'approve' as const },
    ];
    const metrics = history({
      days: 100,
      runs: 20,
      reads: 25,
      level: 2,
      pauses: approvals,
      outcome: () => 'never_ends',
    });
    expect(maturityReadiness(metrics, 'invoices', 2).reasons).toEqual([
      'task success rate 0.0% over 20 runs; at least 90.0% needed',
      'task abandonment rate 100.0% over 20 runs (runs that never ended count as abandoned); at most 5.0% allowed',
    ]);
  });

  it('takes criteria overrides field by field; null turns a check off', () => {
    const metrics = healthyLevel2();
    const stricter = maturityReadiness(metrics, 'invoices', 2, { minDaysInProduction: 120 });
    expect(stricter.ready).toBe(false);
    expect(stricter.reasons).toEqual([expect.stringContaining('level 3 needs at least 120')]);
    expect(stricter.criteria).toEqual({ ...DEFAULT_READINESS_CRITERIA[2], minDaysInProduction: 120 });
    const lenient = maturityReadiness(metrics, 'invoices', 2, { maxInterruptRate: null, minDecisions: 0 });
    expect(lenient.checks.map((check) => check.criterion)).not.toContain('maxInterruptRate');
  });

  it('is never ready at level 4, the highest', () => {
    expect(maturityReadiness(healthyLevel3(), 'invoices', 4)).toMatchObject({
      ready: false,
      nextLevel: null,
      reasons: ['level 4 (Full production trust) is the highest level'],
      checks: [],
    });
  });

  it('says so when the agent has no events', () => {
    const readiness = maturityReadiness(healthyLevel2(), 'someone-else', 2);
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons[0]).toBe('no events of agent "someone-else" in the metrics');
    expect(readiness.evidence.decisions).toBe(0);
  });

  it('refuses an invalid level or criterion with ERR_OPTIONS_INVALID', () => {
    const metrics = healthyLevel2();
    expect(() => maturityReadiness(metrics, 'invoices', 5 as MaturityLevel)).toThrow(
      expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
    );
    expect(() => maturityReadiness(metrics, 'invoices', 2, { maxOverrideRate: 1.5 })).toThrow(
      /maxOverrideRate/,
    );
  });
});
