/** `@orbit-agents/core/metrics`: metrics, calibration and maturity readiness from audit logs. */
export { AuditLogError } from '../metrics/audit-log-error.js';
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
} from '../metrics/compute-metrics.js';
export {
  DEFAULT_READINESS_CRITERIA,
  type MaturityReadiness,
  maturityReadiness,
  type ReadinessCheck,
  type ReadinessCriteria,
  type ReadinessCriterion,
  type ReadinessEvidence,
} from '../metrics/maturity-readiness.js';
export {
  type InvalidAuditLine,
  type ReadAuditEventsOptions,
  readAuditEvents,
} from '../metrics/read-audit-events.js';
export {
  recommendThreshold,
  type ThresholdOptions,
  type ThresholdRecommendation,
  type ThresholdRecommendations,
} from '../metrics/recommend-threshold.js';
export {
  type DriftInterpretation,
  interpretPsi,
  PSI_EPSILON,
  populationStabilityIndex,
  wilsonUpperBound,
} from '../metrics/statistics.js';
