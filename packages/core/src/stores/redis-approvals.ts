import type { ApprovalAnswer } from '../approvals/approval.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import {
  ANSWER_APPROVAL,
  APPROVAL_FIELDS,
  CLAIM_EXECUTION,
  COMPLETE_EXECUTION,
  EXPIRE_APPROVAL,
  PUT_APPROVAL,
} from './redis-scripts.js';
import type { AnswerResult, StoredApproval } from './run-store.js';

/**
 * The approvals of the Redis store: one hash per approval, the tree's index and the global pending
 * index. Answers, timeouts and the execution claim are compare-and-set scripts; the indexes are hints,
 * trimmed (best effort) when they point at approvals that are gone or answered.
 */
export class RedisApprovals {
  private readonly connection: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly runTtlMs: number;

  constructor(connection: RedisConnection, keys: RedisKeys, runTtlMs: number) {
    this.connection = connection;
    this.keys = keys;
    this.runTtlMs = runTtlMs;
  }

  async putApproval(treeId: string, approval: StoredApproval): Promise<void> {
    const id = approval.request.approval_id;
    const fields = [
      'tree',
      treeId,
      'request',
      JSON.stringify(approval.request),
      'status',
      approval.status,
      'hash',
      approval.request.action_hash,
      'requested_at',
      String(approval.requestedAt),
      'expires_at',
      String(approval.expiresAt),
    ];
    if (approval.answer !== undefined) fields.push('answer', JSON.stringify(approval.answer));
    if (approval.answeredAt !== undefined) fields.push('answered_at', String(approval.answeredAt));
    await this.connection.eval(
      PUT_APPROVAL,
      [this.keys.approval(treeId, id), this.keys.approvals(treeId)],
      [String(this.runTtlMs), String(approval.requestedAt), id, ...fields],
    );
    const member = this.keys.pendingMember(treeId, id);
    await this.connection.run(() =>
      approval.status === 'pending'
        ? this.connection.redis.zadd(this.keys.pending, approval.requestedAt, member)
        : this.connection.redis.zrem(this.keys.pending, member),
    );
  }

  async getApproval(treeId: string, approvalId: string): Promise<StoredApproval | undefined> {
    const fields = await this.connection.run(() =>
      this.connection.redis.hmget(this.keys.approval(treeId, approvalId), ...APPROVAL_FIELDS),
    );
    return parseApproval(fields);
  }

  async answerApproval(
    treeId: string,
    approvalId: string,
    answer: ApprovalAnswer,
    at: number,
  ): Promise<AnswerResult> {
    const status = answer.type === 'approve' ? 'approved' : answer.type === 'edit' ? 'edited' : 'denied';
    const reply = await this.connection.eval(
      ANSWER_APPROVAL,
      [this.keys.approval(treeId, approvalId)],
      [answer.action_hash, status, JSON.stringify(answer), String(at), this.keys.channel, approvalId],
    );
    return this.answered(treeId, approvalId, reply);
  }

  async expireApproval(treeId: string, approvalId: string, at: number): Promise<AnswerResult> {
    const reply = await this.connection.eval(
      EXPIRE_APPROVAL,
      [this.keys.approval(treeId, approvalId)],
      [String(at), this.keys.channel, approvalId],
    );
    return this.answered(treeId, approvalId, reply);
  }

  async claimExecution(treeId: string, approvalId: string): Promise<boolean> {
    return (
      Number(await this.connection.eval(CLAIM_EXECUTION, [this.keys.approval(treeId, approvalId)], [])) === 1
    );
  }

  async completeExecution(treeId: string, approvalId: string): Promise<void> {
    await this.connection.eval(COMPLETE_EXECUTION, [this.keys.approval(treeId, approvalId)], []);
  }

  async listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]> {
    const indexKey = this.keys.approvals(treeId);
    const ids = await this.connection.run(() => this.connection.redis.zrange(indexKey, 0, '-1'));
    const approvals = await this.readApprovals(ids.map((approvalId) => ({ treeId, approvalId })));
    const gone = ids.filter((_, i) => approvals[i] === undefined);
    if (gone.length > 0) this.connection.redis.zrem(indexKey, ...gone).catch(() => {});
    return approvals
      .filter(
        (a): a is StoredApproval =>
          a !== undefined &&
          (filter.runId === undefined || a.request.run_id === filter.runId) &&
          filter.statuses.includes(a.status),
      )
      .sort((a, b) => a.requestedAt - b.requestedAt);
  }

  async listPending(
    filter: { agentId?: string; treeId?: string; olderThanMs?: number; now?: number } = {},
  ): Promise<StoredApproval[]> {
    const now = filter.now ?? Date.now();
    const max = filter.olderThanMs === undefined ? '+inf' : String(now - filter.olderThanMs);
    const members = await this.connection.run(() =>
      this.connection.redis.zrangebyscore(this.keys.pending, '-inf', max),
    );
    const wanted = members
      .map((member) => this.keys.parsePendingMember(member))
      .filter((m) => filter.treeId === undefined || m.treeId === filter.treeId);
    const approvals = await this.readApprovals(wanted);
    const found: StoredApproval[] = [];
    const stale: string[] = [];
    wanted.forEach((m, i) => {
      const approval = approvals[i];
      if (approval?.status !== 'pending') {
        stale.push(m.member);
        return;
      }
      if (filter.agentId !== undefined && approval.request.agent_id !== filter.agentId) return;
      if (filter.olderThanMs !== undefined && now - approval.requestedAt < filter.olderThanMs) return;
      found.push(approval);
    });
    // The index is a hint: members whose approval expired or was answered go (best effort).
    if (stale.length > 0) this.connection.redis.zrem(this.keys.pending, ...stale).catch(() => {});
    return found.sort((a, b) => a.requestedAt - b.requestedAt);
  }

  /** Reads approvals in one round trip (a pipeline of `HMGET`s); undefined for those that are gone. */
  private async readApprovals(
    refs: readonly { treeId: string; approvalId: string }[],
  ): Promise<(StoredApproval | undefined)[]> {
    if (refs.length === 0) return [];
    const replies = await this.connection.run(() => {
      const pipeline = this.connection.redis.pipeline();
      for (const r of refs) pipeline.hmget(this.keys.approval(r.treeId, r.approvalId), ...APPROVAL_FIELDS);
      return pipeline.exec();
    });
    return refs.map((_, i) => {
      const [error, fields] = replies?.[i] ?? [new Error('no reply from the pipeline')];
      if (error) throw this.connection.wrap(error);
      return parseApproval(fields as (string | null)[]);
    });
  }

  /** The result of an answer or timeout script; an answered approval leaves the pending index (best effort). */
  private answered(treeId: string, approvalId: string, reply: unknown): AnswerResult {
    const result = this.answerResult(treeId, approvalId, reply);
    if (result.ok)
      this.connection.redis
        .zrem(this.keys.pending, this.keys.pendingMember(treeId, approvalId))
        .catch(() => {});
    return result;
  }

  private answerResult(treeId: string, approvalId: string, reply: unknown): AnswerResult {
    const [outcome, fields] = reply as [string, (string | null)[] | undefined];
    const approval = fields ? parseApproval(fields) : undefined;
    if (outcome === 'ok' && approval) return { ok: true, approval };
    if (outcome === 'hash_mismatch' || outcome === 'already_answered') {
      return approval ? { ok: false, reason: outcome, approval } : { ok: false, reason: outcome };
    }
    if (outcome === 'unknown') return { ok: false, reason: 'unknown' };
    throw new Error(`RedisStore: unexpected reply for approval ${treeId}|${approvalId}: ${String(outcome)}`);
  }
}

/** An approval from its `HMGET` fields (APPROVAL_FIELDS order); undefined when there is none. */
function parseApproval(fields: readonly (string | null | false)[]): StoredApproval | undefined {
  const [tree, request, status, requestedAt, expiresAt, answer, answeredAt] = fields;
  if (!tree || !request || !status) return undefined;
  const approval: StoredApproval = {
    treeId: tree,
    request: JSON.parse(request),
    status: status as StoredApproval['status'],
    requestedAt: Number(requestedAt),
    expiresAt: Number(expiresAt),
  };
  if (answer) approval.answer = JSON.parse(answer);
  if (answeredAt) approval.answeredAt = Number(answeredAt);
  return approval;
}
