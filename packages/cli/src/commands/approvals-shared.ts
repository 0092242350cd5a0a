import type { RunStore, StoredApproval } from '@orbit-agents/core/stores';
import { CliError, EXIT, usageError } from '../cli-error.js';

/** A duration on the command line: `90s`, `15m`, `2h`, `1d`, or milliseconds (`500`, `500ms`). */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw usageError(`${option} expects a duration such as 30s, 15m, 2h or 1d, got "${text}".`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** `1h 5m`, `42s`: a short age or time left. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** JSON on one line, cut to `max` characters (`…` marks a cut). */
export function compactJson(value: unknown, max = 60): string {
  const text = JSON.stringify(value ?? null);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Finds an approval by its id. The store's lookups take the run tree's id, so: the pending approvals are
 * searched for it (one read across every tree); an approval that is not pending any more is read in the
 * tree `treeId` names (`--tree`), when given.
 *
 * @throws CliError `ERR_APPROVAL_NOT_FOUND` (exit 4) when no such approval is found.
 */
export async function findApproval(
  store: RunStore,
  approvalId: string,
  treeId: string | undefined,
): Promise<StoredApproval> {
  if (treeId !== undefined) {
    const found = await store.getApproval(treeId, approvalId);
    if (found) return found;
    throw new CliError(
      'ERR_APPROVAL_NOT_FOUND',
      `no approval ${approvalId} in run tree ${treeId}.`,
      EXIT.NOT_FOUND,
    );
  }
  const pending = await store.listPending({ now: Date.now() });
  const found = pending.find((approval) => approval.request.approval_id === approvalId);
  if (found) return found;
  throw new CliError(
    'ERR_APPROVAL_NOT_FOUND',
    `no pending approval ${approvalId} (unknown, or answered already: pass --tree <tree id> to read an answered one).`,
    EXIT.NOT_FOUND,
  );
}

/** Who answered an approval, and how, in one line: `denied by ann@ops at 2026-…`. */
export function describeAnswer(approval: StoredApproval): string {
  const by = approval.answer ? ` by ${approval.answer.approver}` : '';
  const at = approval.answeredAt === undefined ? '' : ` at ${new Date(approval.answeredAt).toISOString()}`;
  const comment = approval.answer?.comment ? ` ("${approval.answer.comment}")` : '';
  return `${approval.status}${by}${at}${comment}`;
}

/** An approval as the JSON documents of the approvals commands print it. */
export function approvalJson(approval: StoredApproval, now: number) {
  const { request } = approval;
  return {
    approval_id: request.approval_id,
    tree_id: approval.treeId,
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
    status: approval.status,
    requested_at: new Date(approval.requestedAt).toISOString(),
    expires_at: new Date(approval.expiresAt).toISOString(),
    age_ms: Math.max(0, now - approval.requestedAt),
    time_left_ms: Math.max(0, approval.expiresAt - now),
    ...(approval.answer ? { answer: approval.answer } : {}),
    ...(approval.answeredAt === undefined
      ? {}
      : { answered_at: new Date(approval.answeredAt).toISOString() }),
  };
}
