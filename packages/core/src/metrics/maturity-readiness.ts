import { z } from 'zod';
import { formatPath, OptionsInvalidError } from '../errors.js';
import type { MaturityLevel } from '../gate/decision-table.js';
import type { AgentMetrics, AuditMetrics } from './compute-metrics.js';
import { recommendThreshold, type ThresholdRecommendation } from './recommend-threshold.js';
import { wilsonUpperBound } from './statistics.js';

const rate = z.number().min(0, 'expected a rate from 0 to 1').max(1, 'expected a rate from 0 to 1');

const ReadinessCriteriaSchema = z.strictObject({
  /** Days from the agent's first to its last event: pass its production history, not only the last weeks. */
  minDaysInProduction: z.number().nonnegative(),
  minDecisions: z.number().int().nonnegative(),
  /** Human answers (approve, deny, edit) needed before the override rate means anything. */
  minAnsweredApprovals: z.number().int().nonnegative(),
  /** The human override rate's one-sided Wilson upper bound (at `confidenceLevel`) must not exceed this. */
  maxOverrideRate: rate.nullable(),
  confidenceLevel: z.number().gt(0.5, 'expected a level > 0.5').lt(1, 'expected a level < 1'),
  /** Pauses / decisions. */
  maxInterruptRate: rate.nullable(),
  minTaskSuccessRate: rate.nullable(),
  maxAbandonmentRate: rate.nullable(),
  /** Halts for calls outside the manifest (`BOUNDARY_HALT_REASONS`) in the window. */
  maxBoundaryHalts: z.number().int().nonnegative().nullable(),
  /**
   * A confidence threshold for irreversible actions must be derivable from the human answers to the
   * agent's irreversible approval requests (`recommendThreshold` on the `irreversible` tier).
   */
  irreversibleCalibration: z
    .strictObject({ targetOverrideRate: rate, minSamples: z.number().int().min(1) })
    .nullable(),
});

/** What an agent must show to move up one level; `null` turns a check off. */
export type ReadinessCriteria = z.output<typeof ReadinessCriteriaSchema>;
/** The checks of `maturityReadiness`, named after their criterion. */
export type ReadinessCriterion = Exclude<keyof ReadinessCriteria, 'confidenceLevel'>;

/**
 * The default criteria for leaving each level, from the article's maturity model: Level 1
 * (Supervised) for the first 30 days in production, Level 2 (Assisted) to day 90, Level 3 (Autonomous
 * with guardrails) to day 180, then Level 4 (Full production trust). Each step asks for more track
 * record (decisions, human answers) and less human correction (override rate, as a 95% upper bound).
 * No halts for out-of-manifest calls at any step. At Level 1 every write pauses, so the interrupt rate
 * is not checked before Level 2. Leaving Level 3 needs a threshold for irreversible actions derived
 * from the real Level 3 approvals ("derived from your actual false positive rate at Level 3"). The
 * volumes are starting points: tune them to your agent's traffic.
 */
export const DEFAULT_READINESS_CRITERIA: Readonly<
  Record<Exclude<MaturityLevel, 4>, Readonly<ReadinessCriteria>>
> = Object.freeze({
  1: Object.freeze({
    minDaysInProduction: 30,
    minDecisions: 100,
    minAnsweredApprovals: 30,
    maxOverrideRate: 0.2,
    confidenceLevel: 0.95,
    maxInterruptRate: null,
    minTaskSuccessRate: 0.8,
    maxAbandonmentRate: 0.1,
    maxBoundaryHalts: 0,
    irreversibleCalibration: null,
  }),
  2: Object.freeze({
    minDaysInProduction: 90,
    minDecisions: 500,
    minAnsweredApprovals: 50,
    maxOverrideRate: 0.1,
    confidenceLevel: 0.95,
    maxInterruptRate: 0.3,
    minTaskSuccessRate: 0.9,
    maxAbandonmentRate: 0.05,
    maxBoundaryHalts: 0,
    irreversibleCalibration: null,
  }),
  3: Object.freeze({
    minDaysInProduction: 180,
    minDecisions: 1000,
    minAnsweredApprovals: 100,
    maxOverrideRate: 0.05,
    confidenceLevel: 0.95,
    maxInterruptRate: 0.15,
    minTaskSuccessRate: 0.95,
    maxAbandonmentRate: 0.05,
    maxBoundaryHalts: 0,
    irreversibleCalibration: Object.freeze({ targetOverrideRate: 0.05, minSamples: 30 }),
  }),
});

/** One check: what was measured (`null`: nothing to measure) against its limit. */
export interface ReadinessCheck {
  criterion: ReadinessCriterion;
  passed: boolean;
  /** For `maxOverrideRate` and `irreversibleCalibration`, the upper bound of the override rate. */
  actual: number | null;
  limit: number;
}

/** The measurements behind a readiness verdict. */
export interface ReadinessEvidence {
  firstEvent: string | null;
  lastEvent: string | null;
  daysInProduction: number;
  decisions: number;
  interrupts: number;
  interruptRate: number | null;
  humanAnswers: number;
  humanOverrides: number;
  humanOverrideRate: number | null;
  /** One-sided Wilson upper bound at the criteria's `confidenceLevel`. */
  humanOverrideUpperBound: number;
  runsWithOutcome: number;
  taskSuccessRate: number | null;
  abandonmentRate: number | null;
  boundaryHalts: number;
  /** Maturity levels seen on the agent's decisions: metrics meant for one level should show only it. */
  maturityLevels: number[];
  /** The irreversible-tier threshold recommendation, when the step asks for one. */
  irreversibleThreshold: ThresholdRecommendation | null;
}

/** Whether an agent may move up one level, and why not. */
export interface MaturityReadiness {
  ready: boolean;
  agentId: string;
  currentLevel: MaturityLevel;
  nextLevel: MaturityLevel | null;
  /** One sentence per failed check (empty when ready). */
  reasons: string[];
  checks: ReadinessCheck[];
  criteria: ReadinessCriteria | null;
  evidence: ReadinessEvidence;
}

/**
 * Checks an agent's metrics against the criteria for leaving `currentLevel` (the defaults of
 * `DEFAULT_READINESS_CRITERIA`, overridden field by field by `criteria`). Ready only when every check
 * passes; a check without data (no runs with an outcome, no human answers) fails. At Level 4 there is
 * no next level: never ready.
 *
 * @throws OptionsInvalidError when `currentLevel` is not 1, 2, 3 or 4, or `criteria` break their schema
 * (the message names the field). Also, with `irreversibleCalibration` (leaving Level 3 by default), when
 * `metrics` is not a `computeMetrics` result (from `recommendThreshold`); and when the agent's
 * `humanOverrides` exceed its `humanAnswers` (altered metrics; from `wilsonUpperBound`).
 *
 * @example
 * const readiness = maturityReadiness(metrics, 'invoice-reconciliation-v2', 2);
 * if (!readiness.ready) console.log(readiness.reasons.join('\n'));
 * // "62.0 days in production (first to last event); level 3 needs at least 90", ...
 */
export function maturityReadiness(
  metrics: AuditMetrics,
  agentId: string,
  currentLevel: MaturityLevel,
  criteria: Partial<ReadinessCriteria> = {},
): MaturityReadiness {
  if (currentLevel !== 1 && currentLevel !== 2 && currentLevel !== 3 && currentLevel !== 4) {
    throw new OptionsInvalidError(`currentLevel must be 1, 2, 3 or 4, got ${String(currentLevel)}.`);
  }
  const agent = metrics?.agents?.[agentId];
  if (currentLevel === 4) {
    return {
      ready: false,
      agentId,
      currentLevel,
      nextLevel: null,
      reasons: ['level 4 (Full production trust) is the highest level'],
      checks: [],
      criteria: null,
      evidence: evidenceOf(agent, 0.95, null),
    };
  }
  const nextLevel = (currentLevel + 1) as MaturityLevel;
  const settings = parseCriteria({ ...DEFAULT_READINESS_CRITERIA[currentLevel], ...criteria });
  const calibration = settings.irreversibleCalibration
    ? recommendThreshold(metrics, {
        agentId,
        targetOverrideRate: settings.irreversibleCalibration.targetOverrideRate,
        minSamples: settings.irreversibleCalibration.minSamples,
        confidenceLevel: settings.confidenceLevel,
      }).tiers.irreversible
    : null;
  const evidence = evidenceOf(agent, settings.confidenceLevel, calibration);
  const checks: ReadinessCheck[] = [];
  const reasons: string[] = [];
  const check = (
    criterion: ReadinessCriterion,
    passed: boolean,
    actual: number | null,
    limit: number,
    why: string,
  ) => {
    checks.push({ criterion, passed, actual, limit });
    if (!passed) reasons.push(why);
  };
  if (!agent) reasons.push(`no events of agent "${agentId}" in the metrics`);

  const days = evidence.daysInProduction;
  check(
    'minDaysInProduction',
    days >= settings.minDaysInProduction,
    days,
    settings.minDaysInProduction,
    `${days.toFixed(1)} days in production (first to last event); level ${nextLevel} needs at least ${settings.minDaysInProduction}`,
  );
  check(
    'minDecisions',
    evidence.decisions >= settings.minDecisions,
    evidence.decisions,
    settings.minDecisions,
    `${evidence.decisions} decisions; level ${nextLevel} needs at least ${settings.minDecisions}`,
  );
  check(
    'minAnsweredApprovals',
    evidence.humanAnswers >= settings.minAnsweredApprovals,
    evidence.humanAnswers,
    settings.minAnsweredApprovals,
    `${evidence.humanAnswers} human-answered approvals; at least ${settings.minAnsweredApprovals} are needed to judge the override rate`,
  );
  if (settings.maxOverrideRate !== null) {
    const upper = evidence.humanOverrideUpperBound;
    check(
      'maxOverrideRate',
      upper <= settings.maxOverrideRate,
      upper,
      settings.maxOverrideRate,
      evidence.humanAnswers === 0
        ? 'no human-answered approvals: the human override rate is unknown'
        : `human override rate ${pct(evidence.humanOverrideRate)} (${evidence.humanOverrides} of ${evidence.humanAnswers}), ${pct(settings.confidenceLevel)} upper bound ${pct(upper)}; at most ${pct(settings.maxOverrideRate)} allowed`,
    );
  }
  if (settings.maxInterruptRate !== null) {
    const actual = evidence.interruptRate;
    check(
      'maxInterruptRate',
      actual !== null && actual <= settings.maxInterruptRate,
      actual,
      settings.maxInterruptRate,
      actual === null
        ? 'no decisions: the interrupt rate is unknown'
        : `interrupt rate ${pct(actual)} (${evidence.interrupts} pauses in ${evidence.decisions} decisions); at most ${pct(settings.maxInterruptRate)} allowed`,
    );
  }
  if (settings.minTaskSuccessRate !== null) {
    const actual = evidence.taskSuccessRate;
    check(
      'minTaskSuccessRate',
      actual !== null && actual >= settings.minTaskSuccessRate,
      actual,
      settings.minTaskSuccessRate,
      actual === null
        ? 'no run reported a task outcome: the task success rate is unknown (end runs with { outcome })'
        : `task success rate ${pct(actual)} over ${evidence.runsWithOutcome} runs; at least ${pct(settings.minTaskSuccessRate)} needed`,
    );
  }
  if (settings.maxAbandonmentRate !== null) {
    const actual = evidence.abandonmentRate;
    check(
      'maxAbandonmentRate',
      actual !== null && actual <= settings.maxAbandonmentRate,
      actual,
      settings.maxAbandonmentRate,
      actual === null
        ? 'no run reported a task outcome: the abandonment rate is unknown'
        : `task abandonment rate ${pct(actual)} over ${evidence.runsWithOutcome} runs (runs that never ended count as abandoned); at most ${pct(settings.maxAbandonmentRate)} allowed`,
    );
  }
  if (settings.maxBoundaryHalts !== null) {
    check(
      'maxBoundaryHalts',
      evidence.boundaryHalts <= settings.maxBoundaryHalts,
      evidence.boundaryHalts,
      settings.maxBoundaryHalts,
      `${evidence.boundaryHalts} halts for calls outside the manifest; at most ${settings.maxBoundaryHalts} allowed`,
    );
  }
  if (settings.irreversibleCalibration && calibration) {
    const target = settings.irreversibleCalibration.targetOverrideRate;
    const derived = calibration.threshold !== null;
    check(
      'irreversibleCalibration',
      derived,
      calibration.threshold === null ? null : calibration.upperBound,
      target,
      calibration.threshold === null
        ? `no confidence threshold for irreversible actions can be derived from the ${calibration.sampleSize} human answers to irreversible approval requests (${calibration.reason}; target override rate ${pct(target)}, at least ${settings.irreversibleCalibration.minSamples} answers)`
        : '',
    );
  }
  return {
    ready: reasons.length === 0,
    agentId,
    currentLevel,
    nextLevel,
    reasons,
    checks,
    criteria: settings,
    evidence,
  };
}

function evidenceOf(
  agent: AgentMetrics | undefined,
  confidenceLevel: number,
  irreversibleThreshold: ThresholdRecommendation | null,
): ReadinessEvidence {
  const runs = agent?.runs;
  const humanAnswers = agent?.humanAnswers ?? 0;
  const humanOverrides = agent?.humanOverrides ?? 0;
  return {
    firstEvent: agent?.firstEvent ?? null,
    lastEvent: agent?.lastEvent ?? null,
    daysInProduction: agent?.daysInProduction ?? 0,
    decisions: agent?.decisions ?? 0,
    interrupts: agent?.interrupts ?? 0,
    interruptRate: agent?.interruptRate ?? null,
    humanAnswers,
    humanOverrides,
    humanOverrideRate: agent?.humanOverrideRate ?? null,
    humanOverrideUpperBound: wilsonUpperBound(humanOverrides, humanAnswers, confidenceLevel),
    runsWithOutcome: runs ? runs.success + runs.failure + runs.abandoned : 0,
    taskSuccessRate: runs?.taskSuccessRate ?? null,
    abandonmentRate: runs?.abandonmentRate ?? null,
    boundaryHalts: agent?.boundaryHalts ?? 0,
    maturityLevels: agent?.maturityLevels ?? [],
    irreversibleThreshold,
  };
}

function parseCriteria(criteria: unknown): ReadinessCriteria {
  const parsed = ReadinessCriteriaSchema.safeParse(criteria);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new OptionsInvalidError(
    `Invalid readiness criterion at ${formatPath(issue.path)}: ${issue.message}.`,
  );
}

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}
