/** `@orbit-agents/core/audit`: audit events, sinks, the hash chain, its signed anchors and its verification. */
export {
  AUDIT_ANCHOR_TYPE,
  type AuditAnchor,
  type AuditAnchorOptions,
  AuditAnchorSchema,
} from '../audit/audit-anchor.js';
export type { AuditEvent, AuditEventKind, AuditSink, Redactor } from '../audit/audit-event.js';
export {
  blockHash,
  GENESIS_HASH,
  JsonlFileSink,
  type JsonlFileSinkOptions,
  lineHash,
  MemorySink,
} from '../audit/jsonl-file-sink.js';
export {
  type AuditProblem,
  type AuditVerification,
  type VerifyAuditFileOptions,
  verifyAuditFile,
} from '../audit/verify-audit-file.js';
export { canonicalJson, sha256 } from '../canonical-json.js';
