/** `@orbit-agents/core/audit`: audit events, sinks, the hash chain and its verification. */
export type { AuditEvent, AuditEventKind, AuditSink, Redactor } from '../audit/audit-event.js';
export {
  GENESIS_HASH,
  JsonlFileSink,
  type JsonlFileSinkOptions,
  lineHash,
  MemorySink,
} from '../audit/jsonl-file-sink.js';
export { type AuditVerification, verifyAuditFile } from '../audit/verify-audit-file.js';
export { canonicalJson, sha256 } from '../canonical-json.js';
