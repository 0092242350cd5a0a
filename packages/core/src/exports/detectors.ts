/** `@orbit-agents/core/detectors`: the failure-mode detectors over the audit event stream. */
export { type ConfidenceDriftOptions, confidenceDrift } from '../detectors/confidence-drift.js';
export {
  type ContextWindowPoisoningOptions,
  contextWindowPoisoning,
} from '../detectors/context-window-poisoning.js';
export { type CreateDetectorsOptions, createDetectors } from '../detectors/create-detectors.js';
export type { DetectorLimits } from '../detectors/detector-options.js';
export { type DetectorSinkOptions, detectorSink } from '../detectors/detector-sink.js';
export {
  type Detector,
  FAILURE_MODE_SEVERITY,
  FAILURE_MODES,
  type FailureMode,
  type Finding,
  type FindingSeverity,
  type FindingSignal,
} from '../detectors/finding.js';
export {
  type IrreversibleActionCreepOptions,
  irreversibleActionCreep,
} from '../detectors/irreversible-action-creep.js';
export { lexicalSimilarity } from '../detectors/lexical-similarity.js';
export {
  SCOPE_EXPANSION_REASONS,
  type ScopeExpansionOptions,
  scopeExpansion,
} from '../detectors/scope-expansion.js';
export {
  SPAWN_LIMIT_REASONS,
  SUB_AGENT_OUT_OF_SCOPE_REASONS,
  type SubAgentCascadeOptions,
  subAgentCascade,
} from '../detectors/sub-agent-cascade.js';
