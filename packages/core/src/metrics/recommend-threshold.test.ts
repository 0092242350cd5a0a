import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditLogBuilder, seeded } from '../../test/audit-log-builder.js';
import type { Reversibility } from '../manifest/manifest-schema.js';
import { type CalibrationPoint, computeMetrics } from './compute-metrics.js';
import { recommendThreshold, thresholdFromCalibration } from './recommend-threshold.js';
import { wilsonUpperBound } from './statistics.js';

/**
 * `count` human-answered approvals with confidence uniform in [0.5, 1] (3 decimals); a call below
 * `cut` is overridden with probability `overrideBelow`, and never at or above it.
 */
function answeredApprovals(options: {
  count: number;
  cut?: number;
  overrideBelow?: number;
  seed?: number;
  tool?: string;
  tier?: Reversibility;
  agentId?: string;
}) {
  const random = seeded(options.seed ?? 42);
  const log = new AuditLogBuilder({ agentId: options.agentId ?? 'agent-a' });
  log.startRun();
  for (let i = 0; i < options.count; i++) {
    const confidence = Math.round((0.5 + 0.5 * random()) * 1000) / 1000;
    const overridden = confidence < (options.cut ?? 0.8) && random() < (options.overrideBelow ?? 1);
    log.paused({
      tool: options.tool ?? 'update',
      tier: options.tier ?? 'partial',
      confidence,
      answer: overridden ? (random() < 0.5 ? 'deny' : 'edit') : 'approve',
    });
  }
  return log.events;
}

describe('recommendThreshold', () => {
  it('recommends ≈ 0.8 when 400 answers are overridden only below 0.8', () => {
    const { tools, tiers } = recommendThreshold(answeredApprovals({ count: 400 }), {
      targetOverrideRate: 0.05,
    });
    const rec = tools['update']!;
    expect(rec.threshold).not.toBeNull();
    if (rec.threshold === null) return;
    expect(rec.threshold).toBeGreaterThan(0.78);
    expect(rec.threshold).toBeLessThanOrEqual(0.82);
    expect(rec.upperBound).toBeLessThanOrEqual(0.05);
    expect(rec.sampleSize).toBeGreaterThanOrEqual(30);
    expect(rec.confidenceLevel).toBe(0.95);
    expect(tiers.partial).toEqual(rec);
    expect(tiers.irreversible).toEqual({ threshold: null, reason: 'insufficient_samples', sampleSize: 0 });
  });

  it('still recommends ≈ 0.8 when only half the answers below 0.8 are overrides', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = answeredApprovals({ count: 400, overrideBelow: 0.5, seed });
      const rec = recommendThreshold(events, { targetOverrideRate: 0.05 }).tools['update']!;
      expect(rec.threshold).toBeGreaterThan(0.77);
      expect(rec.threshold).toBeLessThanOrEqual(0.82);
    }
  });

  it('recommends the lowest candidate that qualifies: the next lower one does not', () => {
    const metrics = computeMetrics(answeredApprovals({ count: 400, overrideBelow: 0.5 }));
    const points = metrics.agents['agent-a']!.tools['update']!.calibration;
    const rec = recommendThreshold(metrics, { targetOverrideRate: 0.05 }).tools['update']!;
    if (rec.threshold === null) throw new Error('expected a threshold');
    const lower = points.filter((point) => point.confidence < rec.threshold).at(-1)!;
    const above = points.filter((point) => point.confidence >= lower.confidence);
    const n = above.reduce((sum, point) => sum + point.answered, 0);
    const k = above.reduce((sum, point) => sum + point.overridden, 0);
    expect(wilsonUpperBound(k, n)).toBeGreaterThan(0.05);
  });

  it('declines with insufficient_samples when there are only 10 answers', () => {
    const rec = recommendThreshold(answeredApprovals({ count: 10 }), { targetOverrideRate: 0.05 }).tools[
      'update'
    ];
    expect(rec).toEqual({ threshold: null, reason: 'insufficient_samples', sampleSize: 10 });
  });

  it('declines with target_not_reachable when every answer is an override', () => {
    const events = answeredApprovals({ count: 400, cut: 2 });
    const rec = recommendThreshold(events, { targetOverrideRate: 0.05 }).tools['update'];
    expect(rec).toEqual({ threshold: null, reason: 'target_not_reachable', sampleSize: 400 });
  });

  it('asks for more evidence at a higher confidence level and a larger minimum sample', () => {
    const events = answeredApprovals({ count: 400, overrideBelow: 0.5 });
    const loose = recommendThreshold(events, { targetOverrideRate: 0.05, confidenceLevel: 0.8 }).tools[
      'update'
    ]!;
    const strict = recommendThreshold(events, { targetOverrideRate: 0.05, confidenceLevel: 0.99 }).tools[
      'update'
    ]!;
    expect(loose.threshold).not.toBeNull();
    expect(strict.threshold ?? 1).toBeGreaterThanOrEqual(loose.threshold!);
    const big = recommendThreshold(events, { targetOverrideRate: 0.05, minSamples: 150 }).tools['update']!;
    if (big.threshold !== null) expect(big.sampleSize).toBeGreaterThanOrEqual(150);
  });

  it('recommends per tier from the decisions the answers are joined to', () => {
    const events = [
      ...answeredApprovals({ count: 400, tool: 'send', tier: 'irreversible', cut: 0.9 }),
      ...answeredApprovals({ count: 400, tool: 'update', tier: 'partial', cut: 0.7, seed: 9 }),
    ];
    const { tools, tiers } = recommendThreshold(events, { targetOverrideRate: 0.05 });
    expect(tiers.irreversible.threshold).toBeCloseTo(0.9, 1);
    expect(tiers.partial.threshold).toBeCloseTo(0.7, 1);
    expect(tools['send']).toEqual(tiers.irreversible);
  });

  it('pools agents by tool name unless an agent is named', () => {
    const events = [
      ...answeredApprovals({ count: 20, agentId: 'a', cut: 0 }),
      ...answeredApprovals({ count: 20, agentId: 'b', cut: 0, seed: 5 }),
    ];
    const metrics = computeMetrics(events);
    expect(recommendThreshold(metrics, { targetOverrideRate: 0.2 }).tools['update']).toMatchObject({
      sampleSize: 40,
      overrideRate: 0,
    });
    expect(recommendThreshold(metrics, { targetOverrideRate: 0.2, agentId: 'a' }).tools['update']).toEqual({
      threshold: null,
      reason: 'insufficient_samples',
      sampleSize: 20,
    });
    expect(recommendThreshold(metrics, { targetOverrideRate: 0.2, agentId: 'nobody' }).tools).toEqual({});
  });

  it('gives the same answer from events and from their metrics', () => {
    const events = answeredApprovals({ count: 300, overrideBelow: 0.3 });
    const options = { targetOverrideRate: 0.03 };
    expect(recommendThreshold(events, options)).toEqual(recommendThreshold(computeMetrics(events), options));
  });

  it('refuses invalid options and inputs with ERR_OPTIONS_INVALID', () => {
    for (const options of [
      { targetOverrideRate: 0 },
      { targetOverrideRate: 0.05, confidenceLevel: 1 },
      { targetOverrideRate: 0.05, minSamples: 0.5 },
    ]) {
      expect(() => recommendThreshold([], options)).toThrow(
        expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
      );
    }
    expect(() => recommendThreshold({} as never, { targetOverrideRate: 0.05 })).toThrow(/computeMetrics/);
  });
});

describe('thresholdFromCalibration', () => {
  const point = fc.record({
    confidence: fc.integer({ min: 0, max: 100 }).map((c) => c / 100),
    answered: fc.integer({ min: 1, max: 40 }),
  });
  const points = fc
    .array(
      point.chain((p) => fc.integer({ min: 0, max: p.answered }).map((overridden) => ({ ...p, overridden }))),
      { maxLength: 40 },
    )
    .map((list) => [...new Map(list.map((p) => [p.confidence, p])).values()] as CalibrationPoint[]);
  const settings = fc.record({
    targetOverrideRate: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
    confidenceLevel: fc.constantFrom(0.8, 0.9, 0.95, 0.99),
    minSamples: fc.integer({ min: 1, max: 60 }),
  });

  /** The answers at or above `t`, and how many of them were overrides. */
  const sample = (list: readonly CalibrationPoint[], t: number) => {
    const above = list.filter((p) => p.confidence >= t);
    return {
      n: above.reduce((sum, p) => sum + p.answered, 0),
      k: above.reduce((sum, p) => sum + p.overridden, 0),
    };
  };

  it('returns the lowest observed confidence that meets the target with enough samples, or says why none does', () => {
    fc.assert(
      fc.property(points, settings, (list, options) => {
        const rec = thresholdFromCalibration(list, options);
        const qualifies = (t: number) => {
          const { n, k } = sample(list, t);
          return (
            n >= options.minSamples &&
            wilsonUpperBound(k, n, options.confidenceLevel) <= options.targetOverrideRate
          );
        };
        const candidates = list.map((p) => p.confidence).sort((a, b) => a - b);
        const lowest = candidates.find(qualifies);
        const total = sample(list, 0).n;
        if (lowest === undefined) {
          expect(rec).toEqual({
            threshold: null,
            reason: total < options.minSamples ? 'insufficient_samples' : 'target_not_reachable',
            sampleSize: total,
          });
        } else {
          const { n, k } = sample(list, lowest);
          expect(rec).toEqual({
            threshold: lowest,
            upperBound: wilsonUpperBound(k, n, options.confidenceLevel),
            overrideRate: k / n,
            sampleSize: n,
            confidenceLevel: options.confidenceLevel,
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
