import type { AuditEvent } from '@orbit-agents/core';
import type { RunStore, StoredApproval } from '@orbit-agents/core/stores';
import type { AuditIndex } from './audit-index.js';

const ALL_STATUSES: StoredApproval['status'][] = [
  'pending',
  'approved',
  'denied',
  'edited',
  'timeout',
  'executing',
  'done',
];

/** One call of a run: its decision and what became of it. */
interface CallView {
  ts: string;
  call_id?: string;
  tool?: string;
  reversibility?: string;
  confidence?: number | null;
  decision?: string;
  reasons?: readonly string[];
  approval_id?: string;
  /** The outcome event's status and final decision, once written. */
  outcome?: { status?: string; decision?: string; reasons?: readonly string[]; error?: unknown };
}

/** One run of the tree, with everything the audit files say about it. */
export interface RunNode {
  run_id: string;
  parent_run_id: string | null;
  agent_id?: string;
  /** `started`, `ended`, `halted`, from the run events. */
  state?: string;
  task_outcome?: string;
  calls: CallView[];
  approvals: Pick<AuditEvent, 'ts' | 'approval' | 'approval_id' | 'approver' | 'comment' | 'tool'>[];
  tokens: Record<string, unknown>[];
  rollbacks: Pick<AuditEvent, 'ts' | 'rollback' | 'tool' | 'resource' | 'error'>[];
  alerts: Pick<AuditEvent, 'ts' | 'alert' | 'severity' | 'message'>[];
  children: RunNode[];
}

/** The run view of one run: its whole tree (the root and every sub-agent run) and the stored approvals. */
export interface RunView {
  run_id: string;
  root_run_id: string;
  audit_files: number;
  tree: RunNode | null;
  approvals: {
    approval_id: string;
    run_id: string;
    tool: string;
    status: string;
    answer?: string;
    approver?: string;
    comment?: string;
    requested_at: number;
    answered_at?: number;
  }[];
}

/**
 * Builds the view of run `runId` from the audit files and the store: the root of its tree (following
 * `parent_run_id` up), every run under it, and the tree's approvals in the store (who answered what).
 * `undefined` when neither knows the run.
 */
export async function readRunView(
  runId: string,
  audit: AuditIndex,
  store: RunStore,
): Promise<RunView | undefined> {
  const events = await audit.events();
  const parents = new Map<string, string | null>();
  for (const event of events) {
    if (!parents.has(event.run_id) || parents.get(event.run_id) === null) {
      parents.set(event.run_id, event.parent_run_id);
    }
  }
  let root = runId;
  const seen = new Set<string>();
  while (!seen.has(root) && parents.get(root)) {
    seen.add(root);
    root = parents.get(root) as string;
  }
  const stored = await store.listApprovals(root, { statuses: ALL_STATUSES }).catch(() => []);
  if (!parents.has(runId) && stored.length === 0) return undefined;
  return {
    run_id: runId,
    root_run_id: root,
    audit_files: audit.files.length,
    tree: parents.has(root) ? nodeOf(root, events, parents, new Set()) : null,
    approvals: stored.map((a) => ({
      approval_id: a.request.approval_id,
      run_id: a.request.run_id,
      tool: a.request.tool,
      status: a.status,
      answer: a.answer?.type,
      approver: a.answer?.approver,
      comment: a.answer?.comment,
      requested_at: a.requestedAt,
      answered_at: a.answeredAt,
    })),
  };
}

function nodeOf(
  runId: string,
  events: readonly AuditEvent[],
  parents: ReadonlyMap<string, string | null>,
  visited: Set<string>,
): RunNode {
  visited.add(runId);
  const own = events.filter((e) => e.run_id === runId);
  const outcomes = new Map(own.filter((e) => e.event === 'outcome').map((e) => [e.call_id, e]));
  const runEvents = own.filter((e) => e.event === 'run');
  const children = [...parents]
    .filter(([child, parent]) => parent === runId && !visited.has(child))
    .map(([child]) => nodeOf(child, events, parents, visited));
  return {
    run_id: runId,
    parent_run_id: parents.get(runId) ?? null,
    agent_id: own[0]?.agent_id,
    state: runEvents.at(-1)?.run,
    task_outcome: runEvents.find((e) => e.task_outcome)?.task_outcome,
    calls: own
      .filter((e) => e.event === 'decision')
      .map((e) => {
        const outcome = outcomes.get(e.call_id);
        return {
          ts: e.ts,
          call_id: e.call_id,
          tool: e.tool,
          reversibility: e.reversibility,
          confidence: e.confidence,
          decision: e.decision,
          reasons: e.reasons,
          approval_id: e.approval_id,
          outcome: outcome && {
            status: outcome.status,
            decision: outcome.decision,
            reasons: outcome.reasons,
            error: outcome.error,
          },
        };
      }),
    approvals: own
      .filter((e) => e.event === 'approval')
      .map(({ ts, approval, approval_id, approver, comment, tool }) => ({
        ts,
        approval,
        approval_id,
        approver,
        comment,
        tool,
      })),
    tokens: own
      .filter((e) => e.event === 'token')
      .map(({ ts, token, token_id, parent_token_id, depth, sub_agent, scope, expires_at, reasons }) => ({
        ts,
        token,
        token_id,
        parent_token_id,
        depth,
        sub_agent,
        scope,
        expires_at,
        reasons,
      })),
    rollbacks: own
      .filter((e) => e.event === 'rollback')
      .map(({ ts, rollback, tool, resource, error }) => ({ ts, rollback, tool, resource, error })),
    alerts: own
      .filter((e) => e.event === 'alert')
      .map(({ ts, alert, severity, message }) => ({ ts, alert, severity, message })),
    children,
  };
}
