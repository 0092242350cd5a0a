import type { AuditEvent } from '../audit/audit-event.js';
import { DECISIONS, type DecisionKind, type ReasonCode } from '../gate/reason-codes.js';
import { TIERS, type Tier } from '../gate/tier.js';
import { confidenceBin, validConfidence } from './confidence-distribution.js';
import type { MetricsSettings } from './metrics-options.js';

export { TIERS } from '../gate/tier.js';

/** Halts for a call outside what the manifest (or the sub-agent's token) allows: the boundary discipline. */
export const BOUNDARY_HALT_REASONS: readonly ReasonCode[] = [
  'tool_not_in_manifest',
  'tool_explicitly_blocked',
  'resource_not_in_manifest',
  'token_scope_violation',
];

const KINDS = new Set<string>(DECISIONS);
const TIER_SET = new Set<string>(TIERS);

/** What a `decision` event counts for, read once for every group it belongs to. */
export interface DecisionFacts {
  tool: string;
  /** Undefined when the event has no known tier. */
  tier: Tier | undefined;
  /** Undefined when the event has no known decision. */
  kind: DecisionKind | undefined;
  reasons: readonly ReasonCode[];
  boundaryHalt: boolean;
  /** An admitted call to an escalation tool (tier `escalation`, or named in `escalationTools`). */
  escalated: boolean;
  confidence: number | undefined;
  /** The confidence's histogram bin; -1 without a confidence. */
  bin: number;
  inBaseline: boolean;
  inCurrent: boolean;
}

/** Reads a `decision` event (`ms`: its time, NaN when unknown) into what its groups count. */
export function readDecision(
  event: AuditEvent,
  ms: number,
  settings: MetricsSettings,
  escalationTools: ReadonlySet<string>,
): DecisionFacts {
  const tool = toolName(event);
  const tier =
    typeof event.reversibility === 'string' && TIER_SET.has(event.reversibility)
      ? (event.reversibility as Tier)
      : undefined;
  const kind = typeof event.decision === 'string' && KINDS.has(event.decision) ? event.decision : undefined;
  const reasons = Array.isArray(event.reasons) ? event.reasons : [];
  const boundaryHalt = kind === 'halt' && reasons.some((reason) => BOUNDARY_HALT_REASONS.includes(reason));
  const escalated =
    (kind === 'proceed' || kind === 'proceed_with_log') &&
    (tier === 'escalation' || escalationTools.has(tool));
  const confidence = validConfidence(event.confidence);
  const bin = confidence === undefined ? -1 : confidenceBin(confidence, settings.bins);
  const drift = settings.drift;
  const inBaseline = drift !== undefined && ms >= drift.baseline.from && ms < drift.baseline.to;
  const inCurrent = drift !== undefined && ms >= drift.current.from && ms < drift.current.to;
  return { tool, tier, kind, reasons, boundaryHalt, escalated, confidence, bin, inBaseline, inCurrent };
}

/** The tool an event is about; `(unknown)` when it names none. */
export function toolName(event: AuditEvent): string {
  return typeof event.tool === 'string' ? event.tool : '(unknown)';
}
