import { DECISIONS, type DecisionKind } from '../gate/reason-codes.js';
import { type LatencySummary, summarizeLatency } from './approval-latency.js';
import {
  type ConfidenceDistribution,
  type ConfidenceDistributionDrift,
  confidenceDrift,
  summarizeConfidence,
} from './confidence-distribution.js';
import type { DecisionFacts } from './decision-facts.js';
import {
  type ApprovalOutcome,
  type CalibrationPoint,
  type InterruptResolution,
  summarizeCalibration,
  summarizeResolution,
} from './interrupt-resolution.js';
import { ratio } from './statistics.js';

/** The metrics of one group of decisions: an agent, one of its tools, or one of its reversibility tiers. */
export interface GroupMetrics {
  /** `decision` events: one per guarded call, the gate's first decision (before any approval). */
  decisions: number;
  decisionsByKind: Record<DecisionKind, number>;
  /** How often each reason code appeared on a decision. */
  reasons: Record<string, number>;
  /** Halts whose reasons include one of `BOUNDARY_HALT_REASONS`. */
  boundaryHalts: number;
  /** Pauses: decisions that asked a human. */
  interrupts: number;
  /** `interrupts / decisions`; `null` without decisions. */
  interruptRate: number | null;
  answers: Record<ApprovalOutcome, number>;
  /** `approve + deny + edit`: timeouts are not human answers. */
  humanAnswers: number;
  /** `deny + edit`: the human did not let the action run as the agent proposed it. */
  humanOverrides: number;
  /** `humanOverrides / humanAnswers`; `null` without human answers. */
  humanOverrideRate: number | null;
  resolution: InterruptResolution;
  approvalLatencyMs: LatencySummary;
  confidence: ConfidenceDistribution;
  /** Present when `options.drift` is given, else `null`. */
  drift: ConfidenceDistributionDrift | null;
  /** Human answers by the confidence of the decision they answered, ascending (input of `recommendThreshold`). */
  calibration: CalibrationPoint[];
}

const HUMAN_ANSWERS = new Set(['approve', 'deny', 'edit']);

/** Accumulates one group's counts: an agent, one of its tools, or one of its reversibility tiers. */
export class MetricsGroup {
  private decisions = 0;
  private readonly byKind = Object.fromEntries(DECISIONS.map((kind) => [kind, 0])) as Record<
    DecisionKind,
    number
  >;
  private readonly reasons = new Map<string, number>();
  private boundaryHalts = 0;
  private escalated = 0;
  private readonly answers: Record<ApprovalOutcome, number> = {
    approve: 0,
    deny: 0,
    edit: 0,
    timeout: 0,
    no_approval_handler: 0,
    approval_handler_failed: 0,
  };
  private readonly latencies: number[] = [];
  private readonly bins: number[];
  private confidenceCount = 0;
  private confidenceSum = 0;
  private missing = 0;
  private readonly baseline: number[] | undefined;
  private readonly current: number[] | undefined;
  private readonly calibration = new Map<number, { answered: number; overridden: number }>();

  constructor(bins: number, drift: boolean) {
    this.bins = new Array<number>(bins).fill(0);
    this.baseline = drift ? new Array<number>(bins).fill(0) : undefined;
    this.current = drift ? new Array<number>(bins).fill(0) : undefined;
  }

  /** Counts one decision of the group. */
  addDecision(decision: DecisionFacts): void {
    const { kind, confidence, bin } = decision;
    this.decisions++;
    if (kind) this.byKind[kind]++;
    for (const reason of decision.reasons) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    if (decision.boundaryHalt) this.boundaryHalts++;
    if (decision.escalated) this.escalated++;
    if (confidence === undefined) {
      this.missing++;
      return;
    }
    this.confidenceCount++;
    this.confidenceSum += confidence;
    this.bins[bin]!++;
    if (decision.inBaseline) this.baseline![bin]!++;
    if (decision.inCurrent) this.current![bin]!++;
  }

  /**
   * Counts one answer to a paused decision of the group: a human answer's valid `waited_ms` as latency,
   * and, when the decision had a confidence, a calibration point.
   */
  addAnswer(answer: ApprovalOutcome, waited: unknown, confidence: number | undefined): void {
    const human = HUMAN_ANSWERS.has(answer);
    const overridden = answer === 'deny' || answer === 'edit';
    this.answers[answer]++;
    if (human && typeof waited === 'number' && Number.isFinite(waited) && waited >= 0)
      this.latencies.push(waited);
    if (!human || confidence === undefined) return;
    const point = this.calibration.get(confidence);
    if (point) {
      point.answered++;
      if (overridden) point.overridden++;
    } else {
      this.calibration.set(confidence, { answered: 1, overridden: overridden ? 1 : 0 });
    }
  }

  /** The group's metrics; `driftEpsilon` is the PSI epsilon when drift is measured. */
  summarize(driftEpsilon: number | undefined): GroupMetrics {
    const { answers } = this;
    const interrupts = this.byKind.pause;
    const humanAnswers = answers.approve + answers.deny + answers.edit;
    const humanOverrides = answers.deny + answers.edit;
    return {
      decisions: this.decisions,
      decisionsByKind: { ...this.byKind },
      reasons: Object.fromEntries(this.reasons),
      boundaryHalts: this.boundaryHalts,
      interrupts,
      interruptRate: ratio(interrupts, this.decisions),
      answers: { ...answers },
      humanAnswers,
      humanOverrides,
      humanOverrideRate: ratio(humanOverrides, humanAnswers),
      resolution: summarizeResolution(interrupts, answers, this.escalated),
      approvalLatencyMs: summarizeLatency(this.latencies),
      confidence: summarizeConfidence(this.confidenceCount, this.missing, this.confidenceSum, this.bins),
      drift:
        driftEpsilon !== undefined && this.baseline && this.current
          ? confidenceDrift(this.baseline, this.current, driftEpsilon)
          : null,
      calibration: summarizeCalibration(this.calibration),
    };
  }
}
