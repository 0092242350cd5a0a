import type { ApprovalAnswer } from '../approvals/approval.js';
import { ArgumentInvalidError } from '../errors.js';
import { type ManifestOrder, type NewestManifest, orderManifest } from '../manifest/manifest-order.js';
import { admitOn, newCounters, type RunCounters } from './admit-logic.js';
import type {
  AdmitRequest,
  AdmitResult,
  AnswerResult,
  MintedToken,
  RevocationLog,
  RunRecord,
  RunStore,
  StartRunMode,
  StartRunResult,
  StoredAction,
  StoredApproval,
} from './run-store.js';
import { startRunOutcome } from './start-run-logic.js';

/**
 * The in-memory store: one process, nothing survives it. For tests and single-process agents; the
 * reference the SQLite and Redis stores are checked against (the conformance suite).
 */
export class MemoryStore implements RunStore {
  readonly kind = 'memory';
  private readonly runs = new Map<string, RunCounters>();
  /** The manifest digest of each run's record (a run's record is its entry in `runs`). */
  private readonly digests = new Map<string, string>();
  private readonly manifests = new Map<string, NewestManifest>();
  private readonly approvals = new Map<string, StoredApproval>();
  private readonly actions = new Map<string, StoredAction[]>();
  private readonly revokedTokens = new Set<string>();
  private readonly revokedTrees = new Set<string>();
  /** Every revocation in order: `revocationsSince` reads it from a cursor. */
  private readonly revocationLog: { kind: 'token' | 'tree'; id: string }[] = [];
  private readonly mintedTokens = new Map<string, MintedToken>();
  private readonly waiters = new Map<string, Set<(approval: StoredApproval) => void>>();

  async startRun(record: RunRecord, options: { mode: StartRunMode }): Promise<StartRunResult> {
    const { runId } = record;
    const outcome = startRunOutcome(
      this.runs.has(runId) ? (this.digests.get(runId) ?? null) : undefined,
      record.manifestDigest,
      options.mode,
    );
    if (outcome === 'started') {
      this.runs.set(runId, newCounters(record.startedAt));
      this.digests.set(runId, record.manifestDigest);
    }
    return outcome;
  }

  async recordManifest(agentId: string, version: number, digest: string): Promise<ManifestOrder> {
    const order = orderManifest(this.manifests.get(agentId), version, digest);
    if (order.ok && order.newest) this.manifests.set(agentId, { version, digest });
    return order;
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    return admitOn(
      request,
      request.chain.map((limits) => this.runs.get(limits.runId)),
    );
  }

  async addTokens(_treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    for (const id of runIds) {
      const run = this.runs.get(id);
      if (run) run.tokens += tokens;
    }
  }

  async extend(
    _treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return;
    run.extraTokens += extension.tokens ?? 0;
    run.extraRecords += extension.records ?? 0;
    run.extraMs += extension.ms ?? 0;
  }

  async halt(_treeId: string, runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (run) run.halted = true;
  }

  /**
   * @throws DOMException `DataCloneError` when the approval holds a value structured cloning cannot copy
   * (a function, a symbol), e.g. in `request.input`. Never `StoreUnavailableError`.
   */
  async putApproval(_treeId: string, approval: StoredApproval): Promise<void> {
    this.approvals.set(approval.request.approval_id, structuredClone(approval));
  }

  async getApproval(_treeId: string, approvalId: string): Promise<StoredApproval | undefined> {
    const approval = this.approvals.get(approvalId);
    return approval && structuredClone(approval);
  }

  /**
   * @throws DOMException `DataCloneError` when `answer` holds a value structured cloning cannot copy:
   * after the answer was recorded, so every later read of this approval throws it too.
   */
  async answerApproval(
    _treeId: string,
    approvalId: string,
    answer: ApprovalAnswer,
    at: number,
  ): Promise<AnswerResult> {
    const approval = this.approvals.get(approvalId);
    if (!approval) return { ok: false, reason: 'unknown' };
    if (answer.action_hash !== approval.request.action_hash)
      return { ok: false, reason: 'hash_mismatch', approval: structuredClone(approval) };
    if (approval.status !== 'pending')
      return { ok: false, reason: 'already_answered', approval: structuredClone(approval) };
    // A copy, taken before anything changes: the caller keeps its object, and an answer that cannot be
    // copied (a function in the edited arguments) is refused instead of poisoning every later read.
    let stored: ApprovalAnswer;
    try {
      stored = structuredClone(answer);
    } catch (error) {
      throw new ArgumentInvalidError(`answer: it cannot be stored (${(error as Error).message})`, {
        cause: error,
      });
    }
    approval.status = answer.type === 'approve' ? 'approved' : answer.type === 'edit' ? 'edited' : 'denied';
    approval.answer = stored;
    approval.answeredAt = at;
    this.wake(approval);
    return { ok: true, approval: structuredClone(approval) };
  }

  async expireApproval(_treeId: string, approvalId: string, at: number): Promise<AnswerResult> {
    const approval = this.approvals.get(approvalId);
    if (!approval) return { ok: false, reason: 'unknown' };
    if (approval.status !== 'pending')
      return { ok: false, reason: 'already_answered', approval: structuredClone(approval) };
    approval.status = 'timeout';
    approval.answeredAt = at;
    this.wake(approval);
    return { ok: true, approval: structuredClone(approval) };
  }

  async claimExecution(_treeId: string, approvalId: string): Promise<boolean> {
    const approval = this.approvals.get(approvalId);
    if (!approval || (approval.status !== 'approved' && approval.status !== 'edited')) return false;
    approval.status = 'executing';
    return true;
  }

  async completeExecution(_treeId: string, approvalId: string): Promise<void> {
    const approval = this.approvals.get(approvalId);
    if (approval?.status === 'executing') approval.status = 'done';
  }

  async listPending(
    filter: { agentId?: string; treeId?: string; olderThanMs?: number; now?: number } = {},
  ): Promise<StoredApproval[]> {
    const now = filter.now ?? Date.now();
    return [...this.approvals.values()]
      .filter(
        (a) =>
          a.status === 'pending' &&
          (filter.agentId === undefined || a.request.agent_id === filter.agentId) &&
          (filter.treeId === undefined || a.treeId === filter.treeId) &&
          (filter.olderThanMs === undefined || now - a.requestedAt >= filter.olderThanMs),
      )
      .sort((a, b) => a.requestedAt - b.requestedAt)
      .map((a) => structuredClone(a));
  }

  async listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]> {
    return [...this.approvals.values()]
      .filter(
        (a) =>
          a.treeId === treeId &&
          (filter.runId === undefined || a.request.run_id === filter.runId) &&
          filter.statuses.includes(a.status),
      )
      .sort((a, b) => a.requestedAt - b.requestedAt)
      .map((a) => structuredClone(a));
  }

  async waitForAnswer(
    treeId: string,
    approvalId: string,
    timeoutMs: number,
  ): Promise<StoredApproval | undefined> {
    const current = await this.getApproval(treeId, approvalId);
    if (current && current.status !== 'pending') return current;
    return new Promise((resolve) => {
      const set = this.waiters.get(approvalId) ?? new Set();
      this.waiters.set(approvalId, set);
      const done = (approval: StoredApproval | undefined) => {
        clearTimeout(timer);
        set.delete(done as (approval: StoredApproval) => void);
        if (set.size === 0) this.waiters.delete(approvalId);
        resolve(approval && structuredClone(approval));
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      set.add(done as (approval: StoredApproval) => void);
    });
  }

  async revoke(target: { tokenId: string } | { treeId: string }): Promise<void> {
    const [set, kind, id] =
      'tokenId' in target
        ? [this.revokedTokens, 'token' as const, target.tokenId]
        : [this.revokedTrees, 'tree' as const, target.treeId];
    if (set.has(id)) return;
    set.add(id);
    this.revocationLog.push({ kind, id });
  }

  async revocationsSince(cursor: number): Promise<RevocationLog> {
    const log: RevocationLog = { cursor: this.revocationLog.length, tokenIds: [], treeIds: [] };
    for (const { kind, id } of this.revocationLog.slice(cursor))
      (kind === 'token' ? log.tokenIds : log.treeIds).push(id);
    return log;
  }

  async recordToken(treeId: string, token: MintedToken): Promise<void> {
    this.mintedTokens.set(`${treeId}|${token.jti}`, structuredClone(token));
  }

  async getToken(treeId: string, jti: string): Promise<MintedToken | undefined> {
    const token = this.mintedTokens.get(`${treeId}|${jti}`);
    return token && structuredClone(token);
  }

  async isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean> {
    return this.revokedTrees.has(treeId) || tokenIds.some((id) => this.revokedTokens.has(id));
  }

  async appendAction(_treeId: string, runId: string, action: StoredAction): Promise<void> {
    const list = this.actions.get(runId) ?? [];
    list.push({ ...action });
    this.actions.set(runId, list);
  }

  async listActions(_treeId: string, runId: string): Promise<StoredAction[]> {
    return (this.actions.get(runId) ?? []).map((action) => ({ ...action }));
  }

  async close(): Promise<void> {}

  private wake(approval: StoredApproval): void {
    for (const waiter of this.waiters.get(approval.request.approval_id) ?? []) waiter(approval);
  }
}
