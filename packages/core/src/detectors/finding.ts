import type { AuditEvent } from '../audit/audit-event.js';

/** The article's five agentic failure modes, as detector names. */
export const FAILURE_MODES = [
  'confidence_drift',
  'irreversible_action_creep',
  'scope_expansion',
  'sub_agent_cascade',
  'context_window_poisoning',
] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

/** The severity of a finding: the article's taxonomy table gives each failure mode one. */
export type FindingSeverity = 'medium' | 'critical';

/** Each failure mode's severity, exactly as in the article's taxonomy table. */
export const FAILURE_MODE_SEVERITY: Readonly<Record<FailureMode, FindingSeverity>> = {
  confidence_drift: 'medium',
  irreversible_action_creep: 'critical',
  scope_expansion: 'critical',
  sub_agent_cascade: 'critical',
  context_window_poisoning: 'medium',
};

/**
 * The condition that fired, as a stable code (callers branch on it, never on `message`).
 * A detector fires each of its signals at most once per run (per run tree for `sub_agent_count`).
 */
export type FindingSignal =
  | 'low_confidence_streak'
  | 'low_confidence_window'
  | 'irreversible_ratio'
  | 'out_of_scope_attempts'
  | 'spawn_over_limit'
  | 'sub_agent_out_of_scope'
  | 'sub_agent_count'
  | 'goal_divergence'
  | 'action_contradicted';

/** What a detector saw: one failure-mode signal in one run, with the evidence for it. Plain and serialisable. */
export interface Finding {
  readonly detector: FailureMode;
  readonly signal: FindingSignal;
  readonly severity: FindingSeverity;
  readonly run_id: string;
  readonly agent_id: string;
  /** The call whose event tipped the signal, when an event of a call did. */
  readonly call_id?: string;
  /** For people: what was seen, with the numbers. */
  readonly message: string;
  /** For machines: the counts, thresholds, call ids and values behind the finding. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/**
 * A failure-mode detector over the audit event stream. Feed it every event in order (e.g. through
 * `detectorSink`); it keeps a little state per run, drops it when the run ends or halts, and
 * returns the findings an event tipped (usually none).
 */
export interface Detector {
  readonly name: FailureMode;
  /** Reads one event; returns the findings it tipped (an empty, frozen array when none). Never throws on odd events. */
  observe(event: AuditEvent): readonly Finding[];
  /** How many runs (or run trees) the detector holds state for: a gauge for its memory. */
  trackedRuns(): number;
}
