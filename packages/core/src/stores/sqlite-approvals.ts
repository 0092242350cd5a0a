import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { ApprovalAnswer } from '../approvals/approval.js';
import type { AnswerResult, StoredApproval } from './run-store.js';
import type { SqliteConnection } from './sqlite-connection.js';

/**
 * The approvals of the SQLite store (table `approvals`): answers and timeouts as compare-and-sets, the
 * execution claim, the lists, and `waitForAnswer`, which polls the row (another process may answer it).
 */
export class SqliteApprovals {
  private readonly db: SqliteConnection;
  private readonly pollIntervalMs: number;

  constructor(db: SqliteConnection, pollIntervalMs: number) {
    this.db = db;
    this.pollIntervalMs = pollIntervalMs;
  }

  async putApproval(_treeId: string, approval: StoredApproval): Promise<void> {
    const { request } = approval;
    await this.db.execute((sql) => {
      sql(
        `INSERT INTO approvals
           (approval_id, tree_id, run_id, agent_id, action_hash, status, requested_at, expires_at, answered_at, request, answer)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (approval_id) DO UPDATE SET
           tree_id = excluded.tree_id, run_id = excluded.run_id, agent_id = excluded.agent_id, action_hash = excluded.action_hash,
           status = excluded.status, requested_at = excluded.requested_at, expires_at = excluded.expires_at,
           answered_at = excluded.answered_at, request = excluded.request, answer = excluded.answer`,
      ).run(
        request.approval_id,
        approval.treeId,
        request.run_id,
        request.agent_id,
        request.action_hash,
        approval.status,
        approval.requestedAt,
        approval.expiresAt,
        approval.answeredAt ?? null,
        JSON.stringify(request),
        approval.answer === undefined ? null : JSON.stringify(approval.answer),
      );
    });
  }

  async getApproval(_treeId: string, approvalId: string): Promise<StoredApproval | undefined> {
    return this.db.execute((sql) =>
      readApproval(sql('SELECT * FROM approvals WHERE approval_id = ?').get(approvalId)),
    );
  }

  async answerApproval(
    _treeId: string,
    approvalId: string,
    answer: ApprovalAnswer,
    at: number,
  ): Promise<AnswerResult> {
    const status = answer.type === 'approve' ? 'approved' : answer.type === 'edit' ? 'edited' : 'denied';
    return this.db.execute((sql) => {
      // Compare-and-set: only a pending approval with the same action hash takes the answer.
      const row = sql(
        `UPDATE approvals SET status = ?, answer = ?, answered_at = ?
         WHERE approval_id = ? AND status = 'pending' AND action_hash = ? RETURNING *`,
      ).get(status, JSON.stringify(answer), at, approvalId, answer.action_hash);
      if (row) return { ok: true, approval: readApproval(row)! };
      const current = readApproval(sql('SELECT * FROM approvals WHERE approval_id = ?').get(approvalId));
      if (!current) return { ok: false, reason: 'unknown' };
      if (current.request.action_hash !== answer.action_hash)
        return { ok: false, reason: 'hash_mismatch', approval: current };
      return { ok: false, reason: 'already_answered', approval: current };
    });
  }

  async expireApproval(_treeId: string, approvalId: string, at: number): Promise<AnswerResult> {
    return this.db.execute((sql) => {
      const row = sql(
        `UPDATE approvals SET status = 'timeout', answered_at = ? WHERE approval_id = ? AND status = 'pending' RETURNING *`,
      ).get(at, approvalId);
      if (row) return { ok: true, approval: readApproval(row)! };
      const current = readApproval(sql('SELECT * FROM approvals WHERE approval_id = ?').get(approvalId));
      return current
        ? { ok: false, reason: 'already_answered', approval: current }
        : { ok: false, reason: 'unknown' };
    });
  }

  async claimExecution(_treeId: string, approvalId: string): Promise<boolean> {
    return this.db.execute(
      (sql) =>
        sql(
          `UPDATE approvals SET status = 'executing' WHERE approval_id = ? AND status IN ('approved', 'edited')`,
        ).run(approvalId).changes === 1,
    );
  }

  async completeExecution(_treeId: string, approvalId: string): Promise<void> {
    await this.db.execute((sql) => {
      sql(`UPDATE approvals SET status = 'done' WHERE approval_id = ? AND status = 'executing'`).run(
        approvalId,
      );
    });
  }

  async listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]> {
    const byRun = filter.runId === undefined ? '' : ' AND run_id = ?';
    const params: SQLInputValue[] = [treeId, JSON.stringify(filter.statuses)];
    if (filter.runId !== undefined) params.push(filter.runId);
    return this.db.execute((sql) =>
      sql(
        `SELECT * FROM approvals WHERE tree_id = ? AND status IN (SELECT value FROM json_each(?))${byRun}
         ORDER BY requested_at, rowid`,
      )
        .all(...params)
        .map((row) => readApproval(row)!),
    );
  }

  async listPending(
    filter: { agentId?: string; treeId?: string; olderThanMs?: number; now?: number } = {},
  ): Promise<StoredApproval[]> {
    const where = [`status = 'pending'`];
    const params: SQLInputValue[] = [];
    if (filter.agentId !== undefined) {
      where.push('agent_id = ?');
      params.push(filter.agentId);
    }
    if (filter.treeId !== undefined) {
      where.push('tree_id = ?');
      params.push(filter.treeId);
    }
    if (filter.olderThanMs !== undefined) {
      where.push('requested_at <= ?'); // now - requestedAt >= olderThanMs
      params.push((filter.now ?? Date.now()) - filter.olderThanMs);
    }
    return this.db.execute((sql) =>
      sql(`SELECT * FROM approvals WHERE ${where.join(' AND ')} ORDER BY requested_at, rowid`)
        .all(...params)
        .map((row) => readApproval(row)!),
    );
  }

  /** Polls the approval every `pollIntervalMs` (another process may answer it) until it is no longer pending. */
  async waitForAnswer(
    treeId: string,
    approvalId: string,
    timeoutMs: number,
  ): Promise<StoredApproval | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const approval = await this.getApproval(treeId, approvalId);
      if (approval && approval.status !== 'pending') return approval;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.db.sleep(Math.min(this.pollIntervalMs, left));
    }
  }
}

function readApproval(row: Record<string, SQLOutputValue> | undefined): StoredApproval | undefined {
  if (!row) return undefined;
  return {
    treeId: String(row.tree_id),
    request: JSON.parse(String(row.request)),
    status: String(row.status) as StoredApproval['status'],
    ...(row.answer === null ? {} : { answer: JSON.parse(String(row.answer)) as ApprovalAnswer }),
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
    ...(row.answered_at === null ? {} : { answeredAt: Number(row.answered_at) }),
  };
}
