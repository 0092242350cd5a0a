import { z } from 'zod';
import type { AuditEvent } from '../audit/audit-event.js';
import { formatPath, OptionsInvalidError } from '../errors.js';
import { TIERS, type Tier } from '../gate/tier.js';
import {
  type AuditMetrics,
  type CalibrationPoint,
  computeMetrics,
  type GroupMetrics,
} from './compute-metrics.js';
import { wilsonUpperBound } from './statistics.js';

const ThresholdOptionsSchema = z.strictObject({
  /** The highest human override rate acceptable among the calls the threshold would let run. */
  targetOverrideRate: z.number().gt(0, 'expected a rate > 0').lt(1, 'expected a rate < 1'),
  /** One-sided confidence of the upper bound. Default 0.95. */
  confidenceLevel: z.number().gt(0.5, 'expected a level > 0.5').lt(1, 'expected a level < 1').default(0.95),
  /** The fewest human answers at or above a threshold to base it on. Default 30. */
  minSamples: z.number().int().min(1).default(30),
  /** Only this agent's answers. Default: every agent's, pooled by tool name and tier. */
  agentId: z.string().optional(),
});

/** Options of `recommendThreshold`. */
export type ThresholdOptions = z.input<typeof ThresholdOptionsSchema>;
type Settings = z.output<typeof ThresholdOptionsSchema>;

/**
 * A recommended confidence threshold, or why there is none: `insufficient_samples` when there are
 * fewer than `minSamples` human answers in all, `target_not_reachable` when no threshold with enough
 * answers above it keeps the override rate's upper bound at or below the target.
 */
export type ThresholdRecommendation =
  | {
      threshold: number;
      /** One-sided Wilson upper bound of the override rate at or above `threshold`. */
      upperBound: number;
      overrideRate: number;
      /** Human answers at or above `threshold`. */
      sampleSize: number;
      confidenceLevel: number;
    }
  | {
      threshold: null;
      reason: 'insufficient_samples' | 'target_not_reachable';
      /** Human answers with a confidence, at any confidence. */
      sampleSize: number;
    };

/** Recommendations per tool and per tier (all five: the four reversibility tiers and `escalation`). */
export interface ThresholdRecommendations {
  targetOverrideRate: number;
  confidenceLevel: number;
  minSamples: number;
  agentId: string | null;
  tools: Record<string, ThresholdRecommendation>;
  tiers: Record<Tier, ThresholdRecommendation>;
}

/**
 * Recommends a confidence threshold per tool and per tier from the human answers to approval requests,
 * each joined to the confidence of the decision it answered. The candidates are the distinct observed
 * confidences, ascending; for a candidate `t`, the sample is the answered calls with confidence ≥ t,
 * and an override is a `deny` or an `edit`. The recommendation is the lowest `t` whose sample holds at
 * least `minSamples` answers and whose override rate's one-sided Wilson score upper bound, at
 * `confidenceLevel`, is at most `targetOverrideRate`. Timeouts and answers to decisions without a
 * confidence are not samples.
 *
 * Takes an iterable of events (computed here) or the result of `computeMetrics` (for an async stream,
 * compute the metrics first).
 *
 * @throws OptionsInvalidError when `options` break their schema (the message names the first bad
 * field), or `input` is neither an iterable of events nor a `computeMetrics` result (an async
 * iterable included).
 *
 * @example
 * const { tools } = recommendThreshold(metrics, { targetOverrideRate: 0.05 });
 * const rec = tools['update_invoice_status'];
 * if (rec && rec.threshold !== null) console.log(`confidence_threshold: ${rec.threshold}`); // else rec.reason
 */
export function recommendThreshold(
  input: AuditMetrics | Iterable<AuditEvent>,
  options: ThresholdOptions,
): ThresholdRecommendations {
  const settings = parseOptions(options);
  const metrics = isIterable(input) ? computeMetrics(input) : input;
  if (typeof metrics?.agents !== 'object' || metrics.agents === null) {
    throw new OptionsInvalidError(
      'recommendThreshold() needs audit events (an iterable) or the result of computeMetrics().',
    );
  }
  const agents = Object.values(metrics.agents).filter(
    (agent) => settings.agentId === undefined || agent.agentId === settings.agentId,
  );
  const byTool = new Map<string, GroupMetrics[]>();
  for (const agent of agents) {
    for (const [tool, group] of Object.entries(agent.tools)) {
      const groups = byTool.get(tool);
      if (groups) groups.push(group);
      else byTool.set(tool, [group]);
    }
  }
  return {
    targetOverrideRate: settings.targetOverrideRate,
    confidenceLevel: settings.confidenceLevel,
    minSamples: settings.minSamples,
    agentId: settings.agentId ?? null,
    tools: Object.fromEntries(
      [...byTool].map(([tool, groups]) => [tool, thresholdFromCalibration(pool(groups), settings)]),
    ),
    tiers: Object.fromEntries(
      TIERS.map((tier) => [
        tier,
        thresholdFromCalibration(pool(agents.map((agent) => agent.tiers[tier])), settings),
      ]),
    ) as Record<Tier, ThresholdRecommendation>,
  };
}

/** The recommendation for one set of calibration points (see `recommendThreshold`). */
export function thresholdFromCalibration(
  points: readonly CalibrationPoint[],
  settings: Pick<Settings, 'targetOverrideRate' | 'confidenceLevel' | 'minSamples'>,
): ThresholdRecommendation {
  const sorted = [...points].sort((a, b) => a.confidence - b.confidence);
  let answered = 0;
  let overridden = 0;
  for (const point of sorted) {
    answered += point.answered;
    overridden += point.overridden;
  }
  const sampleSize = answered;
  if (sampleSize < settings.minSamples)
    return { threshold: null, reason: 'insufficient_samples', sampleSize };
  // Walk up the candidates; the sample at each is what lies at or above it, and only shrinks.
  for (const point of sorted) {
    if (answered < settings.minSamples) break;
    const upperBound = wilsonUpperBound(overridden, answered, settings.confidenceLevel);
    if (upperBound <= settings.targetOverrideRate) {
      return {
        threshold: point.confidence,
        upperBound,
        overrideRate: overridden / answered,
        sampleSize: answered,
        confidenceLevel: settings.confidenceLevel,
      };
    }
    answered -= point.answered;
    overridden -= point.overridden;
  }
  return { threshold: null, reason: 'target_not_reachable', sampleSize };
}

/** Merges the calibration points of several groups by confidence. */
function pool(groups: readonly GroupMetrics[]): CalibrationPoint[] {
  if (groups.length === 1) return groups[0]!.calibration;
  const merged = new Map<number, CalibrationPoint>();
  for (const group of groups) {
    for (const point of group.calibration) {
      const known = merged.get(point.confidence);
      if (known) {
        known.answered += point.answered;
        known.overridden += point.overridden;
      } else {
        merged.set(point.confidence, { ...point });
      }
    }
  }
  return [...merged.values()];
}

function parseOptions(options: ThresholdOptions): Settings {
  const parsed = ThresholdOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new OptionsInvalidError(`Invalid threshold option at ${formatPath(issue.path)}: ${issue.message}.`);
}

function isIterable(value: unknown): value is Iterable<AuditEvent> {
  return typeof (value as Iterable<unknown> | null)?.[Symbol.iterator] === 'function';
}
