import type { AuditEvent } from '@orbit-agents/core';
import type { RunStore, StoredApproval } from '@orbit-agents/core/stores';
import type { AuditIndex } from './audit-index.js';

/** One earlier decision of the run, for the reviewer's context. */
export interface HistoryEntry {
  ts: string;
  call_id?: string;
  tool?: string;
  decision?: string;
  confidence?: number | null;
  reasons?: readonly string[];
  /** What became of the call (`executed`, `error`, `not_executed`), once known. */
  status?: string;
}

/** One pending approval as the inbox shows it. */
export interface InboxItem {
  tree_id: string;
  approval_id: string;
  run_id: string;
  agent_id: string;
  call_id: string;
  tool: string;
  args: unknown;
  confidence: number | null;
  reversibility: string;
  reasons: readonly string[];
  action_hash: string;
  allowed_answers: readonly string[];
  task_scope: string;
  requested_at: number;
  /** ms since the epoch; `null` when the approval does not expire. */
  expires_at: number | null;
  /** The run's earlier decisions, oldest first; `null` when no audit file was given. */
  history: HistoryEntry[] | null;
}

/** What the inbox shows: the pending approvals, and the server's clock (for the time left). */
export interface InboxSnapshot {
  now: number;
  audit_files: number;
  items: InboxItem[];
}

/** Reads every pending approval from the store, each with its run's history from the audit files. */
export async function readInbox(store: RunStore, audit: AuditIndex): Promise<InboxSnapshot> {
  const now = Date.now();
  const pending = await store.listPending({ now });
  const events = audit.empty
    ? []
    : await audit.eventsOf(new Set(pending.map((approval) => approval.request.run_id)));
  return { now, audit_files: audit.files.length, items: pending.map((a) => toItem(a, events, audit.empty)) };
}

/** A fingerprint of the pending set: the inbox is pushed again only when it changes. */
export function fingerprint(pending: readonly StoredApproval[]): string {
  return pending
    .map((a) => `${a.treeId}/${a.request.approval_id}:${a.status}`)
    .sort()
    .join(',');
}

function toItem(approval: StoredApproval, events: readonly AuditEvent[], noAudit: boolean): InboxItem {
  const { request } = approval;
  return {
    tree_id: approval.treeId,
    approval_id: request.approval_id,
    run_id: request.run_id,
    agent_id: request.agent_id,
    call_id: request.call_id,
    tool: request.tool,
    args: request.args,
    confidence: request.confidence,
    reversibility: request.reversibility,
    reasons: request.reasons,
    action_hash: request.action_hash,
    allowed_answers: request.allowed_answers,
    task_scope: request.context.task_scope,
    requested_at: approval.requestedAt,
    expires_at: Number.isFinite(approval.expiresAt) ? approval.expiresAt : null,
    history: noAudit ? null : historyOf(request.run_id, request.call_id, events),
  };
}

/** The run's decisions before this call, each with its outcome when it is known. */
function historyOf(runId: string, callId: string, events: readonly AuditEvent[]): HistoryEntry[] {
  const outcomes = new Map<string, string>();
  for (const event of events) {
    if (event.run_id === runId && event.event === 'outcome' && event.call_id && event.status) {
      outcomes.set(event.call_id, event.status);
    }
  }
  return events
    .filter((e) => e.run_id === runId && e.event === 'decision' && e.call_id !== callId)
    .map((e) => ({
      ts: e.ts,
      call_id: e.call_id,
      tool: e.tool,
      decision: e.decision,
      confidence: e.confidence,
      reasons: e.reasons,
      status: e.call_id === undefined ? undefined : outcomes.get(e.call_id),
    }));
}
