import type { Reversibility } from '../manifest/manifest-schema.js';
import type { DecisionKind, ReasonCode } from './reason-codes.js';

/** The maturity levels of the article's model. */
export type MaturityLevel = 1 | 2 | 3 | 4;

/**
 * Where a call's confidence stands against the run's floor and the tool's threshold.
 * A missing or invalid confidence counts as `below_floor` (fail closed).
 */
export type ConfidenceBand = 'below_floor' | 'below_threshold' | 'at_or_above_threshold';

export interface GateCell {
  readonly decision: DecisionKind;
  readonly reasons: readonly ReasonCode[];
}

const cell = (decision: DecisionKind, ...reasons: ReasonCode[]): GateCell =>
  Object.freeze({ decision, reasons: Object.freeze(reasons) });
const PROCEED = cell('proceed');

type WriteTier = Exclude<Reversibility, 'read_only'>;
type Row = Readonly<Record<ConfidenceBand, GateCell>>;

/**
 * The reversibility gate: maturity level × reversibility × confidence band → decision.
 * This table is the code, the README's table and the tests' table at once.
 *
 * - Read-only tools and escalation tools are never gated on confidence: they always proceed here
 *   (their call limits and the run's budgets still apply).
 * - Level 1 Supervised: every write pauses for a human.
 * - Level 2 Assisted: reversible writes run; partial writes pause for one-click approval; irreversible ones are
 *   blocked (`maturity_level_blocks_irreversible`): "all irreversible actions are blocked" is the level's
 *   definition, so no person can approve them here. Run at level 1 or 3 to have them approved.
 * - Level 3 Autonomous with guardrails: reversible and partial writes run above the threshold; irreversible ones pause.
 * - Level 4 Full trust: the article's `reversibility_gate`; irreversible writes above the threshold run with a log,
 *   below it they pause (`irreversible_below_threshold`): the article's BLOCK there is "halt — request human
 *   review", and in ORBIT a request a person answers is a pause.
 * - At every level, confidence below the floor pauses a write (the interruption policy), unless the row blocks it.
 * - A `block` cell never carries a reason that promises an approval (`maturity_level_requires_approval`), and a
 *   call a person could approve at one level can still be approved at the next, except irreversible writes
 *   from level 1 to level 2 (the level's definition).
 */
export const DECISION_TABLE: Readonly<Record<MaturityLevel, Readonly<Record<WriteTier, Row>>>> = {
  1: {
    reversible: {
      below_floor: cell('pause', 'confidence_below_floor', 'maturity_level_requires_approval'),
      below_threshold: cell('pause', 'below_tool_threshold', 'maturity_level_requires_approval'),
      at_or_above_threshold: cell('pause', 'maturity_level_requires_approval'),
    },
    partial: {
      below_floor: cell('pause', 'confidence_below_floor', 'maturity_level_requires_approval'),
      below_threshold: cell('pause', 'below_tool_threshold', 'maturity_level_requires_approval'),
      at_or_above_threshold: cell('pause', 'maturity_level_requires_approval'),
    },
    irreversible: {
      below_floor: cell(
        'pause',
        'confidence_below_floor',
        'irreversible_action',
        'maturity_level_requires_approval',
      ),
      below_threshold: cell(
        'pause',
        'below_tool_threshold',
        'irreversible_action',
        'maturity_level_requires_approval',
      ),
      at_or_above_threshold: cell('pause', 'irreversible_action', 'maturity_level_requires_approval'),
    },
  },
  2: {
    reversible: {
      below_floor: cell('pause', 'confidence_below_floor'),
      below_threshold: cell('proceed_with_log', 'below_tool_threshold'),
      at_or_above_threshold: PROCEED,
    },
    partial: {
      below_floor: cell('pause', 'confidence_below_floor', 'maturity_level_requires_approval'),
      below_threshold: cell('pause', 'below_tool_threshold', 'maturity_level_requires_approval'),
      at_or_above_threshold: cell('pause', 'maturity_level_requires_approval'),
    },
    irreversible: {
      below_floor: cell(
        'block',
        'confidence_below_floor',
        'irreversible_action',
        'maturity_level_blocks_irreversible',
      ),
      below_threshold: cell('block', 'irreversible_action', 'maturity_level_blocks_irreversible'),
      at_or_above_threshold: cell('block', 'irreversible_action', 'maturity_level_blocks_irreversible'),
    },
  },
  3: {
    reversible: {
      below_floor: cell('pause', 'confidence_below_floor'),
      below_threshold: cell('proceed_with_log', 'below_tool_threshold'),
      at_or_above_threshold: PROCEED,
    },
    partial: {
      below_floor: cell('pause', 'confidence_below_floor'),
      below_threshold: cell('pause', 'below_tool_threshold'),
      at_or_above_threshold: PROCEED,
    },
    irreversible: {
      below_floor: cell('pause', 'confidence_below_floor', 'irreversible_action'),
      below_threshold: cell('pause', 'below_tool_threshold', 'irreversible_action'),
      at_or_above_threshold: cell('pause', 'irreversible_action'),
    },
  },
  4: {
    reversible: {
      below_floor: cell('pause', 'confidence_below_floor'),
      below_threshold: cell('proceed_with_log', 'below_tool_threshold'),
      at_or_above_threshold: PROCEED,
    },
    partial: {
      below_floor: cell('pause', 'confidence_below_floor'),
      below_threshold: cell('pause', 'below_tool_threshold'),
      at_or_above_threshold: PROCEED,
    },
    irreversible: {
      below_floor: cell('pause', 'confidence_below_floor', 'irreversible_below_threshold'),
      below_threshold: cell('pause', 'irreversible_below_threshold'),
      at_or_above_threshold: cell('proceed_with_log', 'irreversible_action'),
    },
  },
};

/** The gate cell for one call; read-only and escalation tools always proceed. */
export function gateCell(
  level: MaturityLevel,
  reversibility: Reversibility,
  band: ConfidenceBand,
  escalation: boolean,
): GateCell {
  if (escalation || reversibility === 'read_only') return PROCEED;
  return DECISION_TABLE[level][reversibility][band];
}

/** The band of a confidence value. `undefined` (missing or invalid) is `below_floor`. */
export function confidenceBand(
  confidence: number | undefined,
  floor: number,
  threshold: number,
): ConfidenceBand {
  if (confidence === undefined || confidence < floor) return 'below_floor';
  if (confidence < threshold) return 'below_threshold';
  return 'at_or_above_threshold';
}
