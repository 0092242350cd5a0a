/** The five decisions, from least to most severe. */
export const DECISIONS = ['proceed', 'proceed_with_log', 'pause', 'block', 'halt'];
/** Severity rank of a decision: when several checks fire, the most severe decision wins. */
export const SEVERITY = {
    proceed: 0,
    proceed_with_log: 1,
    pause: 2,
    block: 3,
    halt: 4,
};
/**
 * Machine-readable reason codes, grouped by the discipline that raises them.
 * A decision carries every reason that fired, in check order.
 */
export const REASON_CODES = [
    // B: boundary
    'tool_not_in_manifest',
    'tool_explicitly_blocked',
    'resource_not_in_manifest',
    'max_calls_exceeded',
    'input_invalid',
    'run_halted',
    // I: budgets and interruption triggers
    'token_budget_exceeded',
    'time_limit_exceeded',
    'records_budget_exceeded',
    'records_per_call_exceeded',
    'new_resource_type',
    'confidence_missing',
    'confidence_below_floor',
    // R: reversibility gate at the maturity level
    'below_tool_threshold',
    'irreversible_action',
    'irreversible_below_threshold',
    'maturity_level_requires_approval',
    // approvals
    'approval_denied',
    'approval_timeout',
];
