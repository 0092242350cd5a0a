import type { Reversibility } from '../manifest/manifest-schema.js';
import { type DecisionKind, type ReasonCode, SEVERITY } from './reason-codes.js';

/** The gate's verdict: a plain, serialisable object. */
export interface Verdict {
  decision: DecisionKind;
  reasons: ReasonCode[];
  /** The confidence used, or `null` when it was missing or invalid. */
  confidence: number | null;
  /** The call's tier when a per-call rule or hook was consulted (`reversibility_when`, `reversibility()`). */
  tier?: Reversibility;
  /** The manifest rules that chose the call's tier (`reversibility_when[0]`, `reversibility_hook`...). */
  rules?: string[];
}

/** True for a number in [0, 1]. */
export function isValidConfidence(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

/** Marks the verdict halted with a reason. */
export function halt(verdict: Verdict, reason: ReasonCode): Verdict {
  verdict.decision = 'halt';
  verdict.reasons.push(reason);
  return verdict;
}

/** Adds a reason; the decision becomes the more severe of the two. */
export function raise(verdict: Verdict, decision: DecisionKind, reason: ReasonCode): void {
  if (!verdict.reasons.includes(reason)) verdict.reasons.push(reason);
  if (SEVERITY[decision] > SEVERITY[verdict.decision]) verdict.decision = decision;
}

/**
 * A block or a halt cannot be approved, so its verdict keeps no reason that promises a person's
 * approval (`maturity_level_requires_approval`, which a level-1 cell raises before a call limit or a
 * hard budget blocks the same call). Applied wherever a verdict becomes final.
 */
export function keepOnlyPossiblePromises(verdict: Verdict): Verdict {
  if (
    SEVERITY[verdict.decision] >= SEVERITY.block &&
    verdict.reasons.includes('maturity_level_requires_approval')
  )
    verdict.reasons = verdict.reasons.filter((reason) => reason !== 'maturity_level_requires_approval');
  return verdict;
}
