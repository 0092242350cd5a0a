/**
 * `@orbit-agents/core/stores`: the store interface and the kit for implementing one (the shared
 * check-and-count rules), and the in-memory store. SQLite and Redis: `/stores/sqlite`, `/stores/redis`.
 */
export {
  planStoredRollback,
  rollbackStoredRun,
  type StoredRollbackOptions,
  type StoredRollbackStep,
} from '../compensation/stored-rollback.js';
export { type ManifestOrder, type NewestManifest, orderManifest } from '../manifest/manifest-order.js';
export { admitOn, newCounters, type RunCounters, resourceCallKey } from '../stores/admit-logic.js';
export { MemoryStore } from '../stores/memory-store.js';
export type {
  AdmitRequest,
  AdmitResult,
  AnswerResult,
  MintedToken,
  RevocationLog,
  RunLimits,
  RunRecord,
  RunStore,
  StartRunMode,
  StartRunResult,
  StoredAction,
  StoredApproval,
} from '../stores/run-store.js';
export { STORED_OUTPUT_MAX_CHARS, TOKEN_RECORD_GRACE_MS } from '../stores/run-store.js';
export { startRunOutcome } from '../stores/start-run-logic.js';
export { StoreUnavailableError } from '../stores/store-unavailable-error.js';
