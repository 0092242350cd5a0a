/** The five decisions, from least to most severe. */
export const DECISIONS = ['proceed', 'proceed_with_log', 'pause', 'block', 'halt'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

/** Severity rank of a decision: when several checks fire, the most severe decision wins. */
export const SEVERITY: Readonly<Record<DecisionKind, number>> = {
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
export const GATE_REASON_CODES = [
  // B: boundary
  'tool_not_in_manifest',
  'tool_explicitly_blocked',
  'resource_not_in_manifest',
  'max_calls_exceeded',
  /** The tool's `max_calls_per_resource` is used up on this call's resource (in the run or an ancestor). */
  'resource_call_limit_reached',
  'input_invalid',
  /** The arguments hold what ORBIT cannot hash and record (a BigInt, a cycle, a class instance, a throwing getter) or exceed `INPUT_LIMITS`. */
  'input_unsupported',
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
  /** A pause a person answers: the maturity level asks for one (never on a `block`). */
  'maturity_level_requires_approval',
  /** Level 2 blocks irreversible writes (the level's definition): nobody can approve them at this level. */
  'maturity_level_blocks_irreversible',
  // approvals
  'approval_denied',
  /** Nobody answered in time (a human timeout, counted as one in the metrics). */
  'approval_timeout',
  /** `run.execute` paused with no `approvalHandler` and no store: nobody could be asked. */
  'no_approval_handler',
  'approval_handler_failed',
] as const;

/** Reason codes of trust tokens and delegation (T). */
export const TRUST_REASON_CODES = [
  'token_invalid',
  'token_expired',
  'token_revoked',
  'token_wrong_audience',
  'token_wrong_run',
  'token_scope_violation',
  'spawn_not_permitted',
  'delegation_depth_exceeded',
  'sub_agent_limit_exceeded',
  'scope_escalation',
] as const;

/** Reason codes of shared stores. */
export const STORE_REASON_CODES = [
  /** The store could not be reached: write tools do not run. */
  'store_unavailable',
  /** Another process already ran this approved call: it runs exactly once. */
  'already_executed',
  /** The store lost the run's state (a key or row deleted, a store restarted empty): the run halts, no fresh budget. */
  'run_state_lost',
  /** The run was started under another manifest digest: it halts rather than take the new limits. */
  'run_manifest_changed',
  /** The store has seen a newer manifest version of this agent (or its version with other content): the run halts. */
  'manifest_downgrade',
] as const;

/** Every fixed reason code (the condition reasons carry the condition's name: see `ConditionReason`). */
export const REASON_CODES = [...GATE_REASON_CODES, ...TRUST_REASON_CODES, ...STORE_REASON_CODES] as const;

/**
 * The reasons of a tool's argument conditions, named after the condition: `condition_pause:<name>`
 * (a pause a person may approve), `condition_block:<name>` and `condition_require:<name>` (the call is
 * refused, the model may correct it), `condition_error:<name>` (the condition erred: refused, fail closed).
 */
export type ConditionReason =
  | `condition_pause:${string}`
  | `condition_block:${string}`
  | `condition_require:${string}`
  | `condition_error:${string}`;

export type ReasonCode = (typeof REASON_CODES)[number] | ConditionReason;
