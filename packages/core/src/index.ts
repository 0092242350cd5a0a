/**
 * `@orbit-agents/core`: what the quick start and the framework adapters need. The rest is in
 * subpath exports: `/adapter` (the adapter kit), `/errors`, `/gate`, `/trust`, `/audit`,
 * `/manifest`, `/telemetry`, `/metrics`, `/detectors`, `/stores` (the store-implementer kit and
 * `MemoryStore`), `/stores/sqlite`, `/stores/redis`.
 */
export type { Alert, AlertName, Notifier, RunAlert } from './alerts/alert.js';
export { type WebhookNotifierOptions, webhookNotifier } from './alerts/webhook-notifier.js';
export type { AnyOrbitError } from './any-orbit-error.js';
export {
  type ApprovalAnswer,
  type ApprovalHandler,
  type ApprovalHandlerAnswer,
  type ApprovalRequest,
  DEFAULT_HANDLER_APPROVER,
} from './approvals/approval.js';
export type { AuditEvent, AuditEventKind, AuditSink, Redactor } from './audit/audit-event.js';
export { JsonlFileSink, type JsonlFileSinkOptions, MemorySink } from './audit/jsonl-file-sink.js';
export {
  type AuditVerification,
  type VerifyAuditFileOptions,
  verifyAuditFile,
} from './audit/verify-audit-file.js';
export type { RollbackEntry, RollbackReport } from './compensation/rollback.js';
export { argumentConfidence, type ConfidenceSource } from './confidence/confidence-source.js';
export type { Detector } from './detectors/finding.js';
export {
  ApprovalError,
  ManifestError,
  type ManifestIssue,
  OrbitError,
  type OrbitErrorCode,
} from './errors.js';
export type { MaturityLevel } from './gate/decision-table.js';
export type { Policy, ToolPolicy } from './gate/policy.js';
export type { DecisionKind, ReasonCode } from './gate/reason-codes.js';
export type { Tier } from './gate/tier.js';
export {
  type LoadedManifest,
  type LoadManifestOptions,
  loadManifest,
  parseManifest,
  verifyManifest,
} from './manifest/load-manifest.js';
export type {
  AlertPolicy,
  AllowedTool,
  Delegation,
  InterruptionPolicy,
  Manifest,
  ManifestInput,
  Reversibility,
  SubAgentProfile,
} from './manifest/manifest-schema.js';
export { type SignManifestOptions, signManifest } from './manifest/sign-manifest.js';
export { createOrbit, type Orbit, type OrbitOptions } from './run/create-orbit.js';
export { type Decision, type Refusal, toRefusal } from './run/decision.js';
export { defineTool, type ToolContext, type ToolDefinition } from './run/define-tool.js';
export type { Outcome, PerformOptions } from './run/executor.js';
export type { CallResult, GuardRequest, ToolShape } from './run/guard-request.js';
export type { DelegationResult, LedgerView, Run } from './run/run.js';
export { RunHaltedError } from './run/run-halted-error.js';
export type { RunStore } from './stores/run-store.js';
export type { TelemetryOptions } from './telemetry/telemetry.js';
export { TokenError } from './trust/token-error.js';
export type { DelegationRequest, TokenScope } from './trust/token-scope.js';
export { TrustAuthority, type TrustAuthorityOptions } from './trust/trust-authority.js';
