export {
  type Alert,
  type AlertName,
  type AlertRules,
  type Notifier,
  resolveAlertRules,
} from './alerts/alert.js';
export {
  type DrainableNotifier,
  type WebhookNotifierOptions,
  webhookNotifier,
} from './alerts/webhook-notifier.js';
export {
  type ApprovalAnswer,
  ApprovalAnswerSchema,
  type ApprovalHandler,
  type ApprovalRequest,
} from './approvals/approval.js';
export type { AuditEvent, AuditEventKind, AuditSink, Redactor } from './audit/audit-event.js';
export {
  GENESIS_HASH,
  JsonlFileSink,
  type JsonlFileSinkOptions,
  lineHash,
  MemorySink,
} from './audit/jsonl-file-sink.js';
export { type AuditVerification, verifyAuditFile } from './audit/verify-audit-file.js';
export { canonicalJson, sha256 } from './canonical-json.js';
export type { RollbackEntry, RollbackReport } from './compensation/rollback.js';
export { argumentConfidence, type ConfidenceSource } from './confidence/confidence-source.js';
export { type ConfidenceDriftOptions, confidenceDrift } from './detectors/confidence-drift.js';
export {
  type ContextWindowPoisoningOptions,
  contextWindowPoisoning,
} from './detectors/context-window-poisoning.js';
export { type CreateDetectorsOptions, createDetectors } from './detectors/create-detectors.js';
export type { DetectorLimits } from './detectors/detector-options.js';
export { type DetectorSinkOptions, detectorSink } from './detectors/detector-sink.js';
export {
  type Detector,
  FAILURE_MODE_SEVERITY,
  FAILURE_MODES,
  type FailureMode,
  type Finding,
  type FindingSeverity,
  type FindingSignal,
} from './detectors/finding.js';
export {
  type IrreversibleActionCreepOptions,
  irreversibleActionCreep,
} from './detectors/irreversible-action-creep.js';
export { lexicalSimilarity } from './detectors/lexical-similarity.js';
export {
  SCOPE_EXPANSION_REASONS,
  type ScopeExpansionOptions,
  scopeExpansion,
} from './detectors/scope-expansion.js';
export {
  SPAWN_LIMIT_REASONS,
  SUB_AGENT_OUT_OF_SCOPE_REASONS,
  type SubAgentCascadeOptions,
  subAgentCascade,
} from './detectors/sub-agent-cascade.js';
export {
  ApprovalError,
  describeInputError,
  ManifestError,
  type ManifestIssue,
  OrbitError,
  type OrbitErrorCode,
} from './errors.js';
export { decide, type GateRequest, type GateState, isValidConfidence, type Verdict } from './gate/decide.js';
export {
  type ConfidenceBand,
  confidenceBand,
  DECISION_TABLE,
  type GateCell,
  gateCell,
  type MaturityLevel,
} from './gate/decision-table.js';
export { compilePolicy, type Policy, type ToolPolicy } from './gate/policy.js';
export {
  DECISIONS,
  type DecisionKind,
  GATE_REASON_CODES,
  REASON_CODES,
  type ReasonCode,
  SEVERITY,
  STORE_REASON_CODES,
  TRUST_REASON_CODES,
} from './gate/reason-codes.js';
export { type ExecutedAction, MemoryLedger } from './ledger/memory-ledger.js';
export {
  type LoadedManifest,
  type LoadManifestOptions,
  loadManifest,
  parseManifest,
  verifyManifest,
} from './manifest/load-manifest.js';
export {
  type AlertPolicy,
  AlertPolicySchema,
  type AllowedTool,
  DEFAULT_CONFIDENCE_THRESHOLD,
  type Delegation,
  type InterruptionPolicy,
  type Manifest,
  type ManifestInput,
  ManifestSchema,
  type Reversibility,
  ReversibilitySchema,
  type SubAgentProfile,
} from './manifest/manifest-schema.js';
export { type SignManifestOptions, signManifest } from './manifest/sign-manifest.js';
// Metrics and calibration from audit logs.
export { AuditLogError } from './metrics/audit-log-error.js';
export {
  type AgentMetrics,
  type ApprovalOutcome,
  type AuditMetrics,
  BOUNDARY_HALT_REASONS,
  type CalibrationPoint,
  type ConfidenceDistribution,
  type ConfidenceDistributionDrift,
  computeMetrics,
  type GroupMetrics,
  type InterruptResolution,
  type LatencySummary,
  type MetricsOptions,
  type RunOutcomes,
} from './metrics/compute-metrics.js';
export {
  DEFAULT_READINESS_CRITERIA,
  type MaturityReadiness,
  maturityReadiness,
  type ReadinessCheck,
  type ReadinessCriteria,
  type ReadinessCriterion,
  type ReadinessEvidence,
} from './metrics/maturity-readiness.js';
export {
  type InvalidAuditLine,
  type ReadAuditEventsOptions,
  readAuditEvents,
} from './metrics/read-audit-events.js';
export {
  recommendThreshold,
  type ThresholdOptions,
  type ThresholdRecommendation,
  type ThresholdRecommendations,
} from './metrics/recommend-threshold.js';
export {
  type DriftInterpretation,
  interpretPsi,
  PSI_EPSILON,
  populationStabilityIndex,
  wilsonUpperBound,
} from './metrics/statistics.js';
export { createOrbit, type Orbit, type OrbitOptions } from './run/create-orbit.js';
export { type Decision, type Refusal, toRefusal } from './run/decision.js';
export { defineTool, type ToolContext, type ToolDefinition } from './run/define-tool.js';
export {
  actionHash,
  type CallResult,
  type DelegationResult,
  type GuardRequest,
  Run,
  type RunSettings,
  SPAWN_TOOL,
  type ToolShape,
} from './run/run.js';
export { RunHaltedError } from './run/run-halted-error.js';
export { admitOn, newCounters, type RunCounters } from './stores/admit-logic.js';
export { MemoryStore } from './stores/memory-store.js';
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js';
export type {
  AdmitRequest,
  AdmitResult,
  AnswerResult,
  RunLimits,
  RunStore,
  StoredAction,
  StoredApproval,
} from './stores/run-store.js';
export { SQLITE_SCHEMA_VERSION, SqliteStore, type SqliteStoreOptions } from './stores/sqlite-store.js';
export { StoreUnavailableError } from './stores/store-unavailable-error.js';
export { ATTR, SPAN, SPAN_EVENT } from './telemetry/attributes.js';
export type { Telemetry, TelemetryOptions } from './telemetry/telemetry.js';
export { scopedPolicy } from './trust/scoped-policy.js';
export { TokenError } from './trust/token-error.js';
export {
  attenuateScope,
  type DelegationRequest,
  DelegationRequestSchema,
  isSubPattern,
  isWithin,
  type MintRefusal,
  rootScope,
  type ScopeUsage,
  type TokenScope,
  TokenScopeSchema,
} from './trust/token-scope.js';
export {
  type MintClaims,
  type TokenExpectations,
  TRUST_TOKEN_TYPE,
  TrustAuthority,
  type TrustAuthorityOptions,
  type VerifiedToken,
} from './trust/trust-authority.js';
