/** `@orbit-agents/core/gate`: the pure decision, the decision table, policies, limits and reason codes. */
export { decide, type GateRequest, type GateState } from '../gate/decide.js';
export {
  type ConfidenceBand,
  confidenceBand,
  DECISION_TABLE,
  type GateCell,
  gateCell,
  type MaturityLevel,
} from '../gate/decision-table.js';
export {
  applyLimits,
  bitsOf,
  type CallLimits,
  findingsOf,
  findLimits,
  LIMIT,
  type LimitFindings,
  type LimitUsage,
  type RunBudgets,
} from '../gate/limits.js';
export {
  compilePolicy,
  compileResourcePattern,
  type Policy,
  type ResourceMatcher,
  resourceTypeOf,
  type ToolPolicy,
} from '../gate/policy.js';
export {
  DECISIONS,
  type DecisionKind,
  GATE_REASON_CODES,
  REASON_CODES,
  type ReasonCode,
  SEVERITY,
  STORE_REASON_CODES,
  TRUST_REASON_CODES,
} from '../gate/reason-codes.js';
export { isWrite, TIERS, type Tier, tierOf, type WriteTier } from '../gate/tier.js';
export { isValidConfidence, type Verdict } from '../gate/verdict.js';
export { type ExecutedAction, MemoryLedger } from '../ledger/memory-ledger.js';
export { INPUT_LIMITS } from '../run/args-snapshot.js';
