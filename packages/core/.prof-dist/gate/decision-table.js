const cell = (decision, ...reasons) => Object.freeze({ decision, reasons: Object.freeze(reasons) });
const PROCEED = cell('proceed');
/**
 * The reversibility gate: maturity level × reversibility × confidence band → decision.
 * This table is the code, the README's table and the tests' table at once.
 *
 * - Read-only tools and escalation tools are never gated on confidence: they always proceed here
 *   (their call limits and the run's budgets still apply).
 * - Level 1 Supervised: every write pauses for a human.
 * - Level 2 Assisted: reversible writes run; partial writes pause for one-click approval; irreversible ones are blocked.
 * - Level 3 Autonomous with guardrails: reversible and partial writes run above the threshold; irreversible ones pause.
 * - Level 4 Full trust: the article's `reversibility_gate`; irreversible writes above the threshold run with a log, below it they are blocked.
 * - At every level, confidence below the floor pauses a write (the interruption policy), unless the row blocks it.
 */
export const DECISION_TABLE = {
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
            below_floor: cell('pause', 'confidence_below_floor', 'irreversible_action', 'maturity_level_requires_approval'),
            below_threshold: cell('pause', 'below_tool_threshold', 'irreversible_action', 'maturity_level_requires_approval'),
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
            below_floor: cell('block', 'confidence_below_floor', 'irreversible_action', 'maturity_level_requires_approval'),
            below_threshold: cell('block', 'irreversible_action', 'maturity_level_requires_approval'),
            at_or_above_threshold: cell('block', 'irreversible_action', 'maturity_level_requires_approval'),
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
            below_floor: cell('block', 'confidence_below_floor', 'irreversible_below_threshold'),
            below_threshold: cell('block', 'irreversible_below_threshold'),
            at_or_above_threshold: cell('proceed_with_log', 'irreversible_action'),
        },
    },
};
/** The gate cell for one call; read-only and escalation tools always proceed. */
export function gateCell(level, reversibility, band, escalation) {
    if (escalation || reversibility === 'read_only')
        return PROCEED;
    return DECISION_TABLE[level][reversibility][band];
}
/** The band of a confidence value. `undefined` (missing or invalid) is `below_floor`. */
export function confidenceBand(confidence, floor, threshold) {
    if (confidence === undefined || confidence < floor)
        return 'below_floor';
    if (confidence < threshold)
        return 'below_threshold';
    return 'at_or_above_threshold';
}
