import type { DecisionKind, ReasonCode } from '../gate/reason-codes.js';
import type { Tier } from '../gate/tier.js';

/** The kinds of audit event. */
export type AuditEventKind =
  | 'decision'
  | 'outcome'
  | 'approval'
  | 'rollback'
  | 'alert'
  | 'run'
  | 'token'
  | 'goal';

/**
 * One audit event: one JSON object, one line in a JSONL file. These field names are the contract
 * between the runtime, the CLI, the console and any log pipeline: they do not change.
 */
export interface AuditEvent {
  /** ISO 8601 time. */
  ts: string;
  event: AuditEventKind;
  run_id: string;
  parent_run_id: string | null;
  agent_id: string;
  manifest_digest: string;
  call_id?: string;
  tool?: string;
  /** The call's tier: its tool's reversibility, or `escalation` for a call to an escalation tool. */
  reversibility?: Tier;
  /** Decision: the manifest rules that chose the call's tier (`reversibility_when[0]`, `reversibility_hook`...). */
  rules?: string[];
  confidence?: number | null;
  decision?: DecisionKind;
  reasons?: ReasonCode[];
  maturity_level?: number;
  /** Tool inputs, after the redaction hook. */
  input?: unknown;
  /** Tool output, after the redaction hook. */
  output?: unknown;
  /** `executed`, `error` (the tool threw) or `not_executed`. */
  status?: 'executed' | 'error' | 'not_executed';
  error?: { name: string; message: string };
  tokens?: number;
  records?: number;
  resource?: string;
  elapsed_ms?: number;
  approval_id?: string;
  action_hash?: string;
  /**
   * `requested`, `expiring` (a warning before the timeout) or the answer: `approve`, `deny`, `edit`,
   * `timeout`, `no_approval_handler` (nobody could be asked: no approval handler and no store) or
   * `approval_handler_failed` (the handler threw or gave something that is not an answer).
   */
  approval?:
    | 'requested'
    | 'expiring'
    | 'approve'
    | 'deny'
    | 'edit'
    | 'timeout'
    | 'no_approval_handler'
    | 'approval_handler_failed';
  approver?: string;
  comment?: string;
  waited_ms?: number;
  /** Rollback: what happened to one executed action. */
  rollback?: 'undone' | 'undo_failed' | 'manual_recovery' | 'unrecoverable';
  /** Token: `minted`, `refused`, `verification_failed`, `revoked`. Never the token string. */
  token?: 'minted' | 'refused' | 'verification_failed' | 'revoked';
  token_id?: string;
  parent_token_id?: string | null;
  depth?: number;
  /** Goal: the agent's restatement of its goal mid-task (for the context-poisoning detector). */
  goal?: string;
  /** Alert: the rule or detector that fired, its severity and what it saw. */
  alert?: string;
  severity?: 'info' | 'medium' | 'critical';
  message?: string;
  /** Run end: how the task ended, as the application reports it. */
  task_outcome?: 'success' | 'failure' | 'abandoned';
  /** Run: `started`, `ended`, `halted`. */
  run?: 'started' | 'ended' | 'halted';
  [extra: string]: unknown;
}

/** Where audit events go. `write` must not throw for ordinary I/O; buffer and flush instead. */
export interface AuditSink {
  write(event: AuditEvent): void;
  /** Writes out what is buffered. */
  flush?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Redaction hook for inputs and outputs: return what may be written (or `undefined` to drop it). */
export type Redactor = (value: unknown, context: { tool: string; field: 'input' | 'output' }) => unknown;
