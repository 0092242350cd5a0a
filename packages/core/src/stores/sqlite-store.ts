import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { ApprovalAnswer } from '../approvals/approval.js';
import { OptionsInvalidError, OrbitError } from '../errors.js';
import type { Reversibility } from '../manifest/manifest-schema.js';
import { admitOn, type RunCounters } from './admit-logic.js';
import type {
  AdmitRequest,
  AdmitResult,
  AnswerResult,
  RunStore,
  StoredAction,
  StoredApproval,
} from './run-store.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file, shared by every process that opens it (its directory must exist; the file and
   * its schema are created when absent). `':memory:'` gives a private database for one store object:
   * nothing is shared, nothing survives.
   */
  path: string;
  /**
   * How long one call waits for the write lock held by another connection (another process, or another
   * store object on the same file) before it rejects with `StoreUnavailableError`. Default 5000 ms.
   */
  busyTimeoutMs?: number;
  /** How often `waitForAnswer` reads the approval again (another process may answer it). Default 25 ms. */
  pollIntervalMs?: number;
}

/** The schema version this code writes, kept in the file's `PRAGMA user_version`. */
export const SQLITE_SCHEMA_VERSION = 1;

/**
 * Migrations: `MIGRATIONS[v]` takes a file from schema version `v` to `v + 1`. They run in one
 * `BEGIN IMMEDIATE` transaction with the version bump, so a crash leaves the old version whole.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    tree_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    halted INTEGER NOT NULL DEFAULT 0,
    extra_tokens INTEGER NOT NULL DEFAULT 0,
    extra_records INTEGER NOT NULL DEFAULT 0,
    extra_ms INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS runs_tree ON runs (tree_id);
  CREATE INDEX IF NOT EXISTS runs_expires ON runs (expires_at);
  CREATE TABLE IF NOT EXISTS run_calls (
    run_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, tool)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS run_resource_types (
    run_id TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (run_id, type)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS approvals (
    approval_id TEXT PRIMARY KEY,
    tree_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER,
    request TEXT NOT NULL,
    answer TEXT
  );
  CREATE INDEX IF NOT EXISTS approvals_pending ON approvals (status, requested_at);
  CREATE INDEX IF NOT EXISTS approvals_tree ON approvals (tree_id, status, requested_at);
  CREATE TABLE IF NOT EXISTS revocations (
    kind TEXT NOT NULL CHECK (kind IN ('token', 'tree')),
    id TEXT NOT NULL,
    revoked_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tree_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    reversibility TEXT NOT NULL,
    resource TEXT
  );
  CREATE INDEX IF NOT EXISTS actions_run ON actions (run_id, id);
  `,
];

/**
 * The longest SQLite's own busy handler may sleep in one attempt. node:sqlite is synchronous, so that
 * sleep blocks the event loop; past it the store waits with timers (and the loop runs) until
 * `busyTimeoutMs`.
 */
const LOCK_SLICE_MS = 50;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CONSTRAINT = 19;

/**
 * The SQLite store: one database file shared by every process on a machine (WAL mode). Counts,
 * budgets, halts, approvals, revocations and compensation logs survive a crash and are seen by every
 * process that opens the file; each check-and-count is one `BEGIN IMMEDIATE` transaction, so N
 * processes racing for a tool with a limit of L admit exactly L calls.
 *
 * - Durability: `journal_mode=WAL`, `synchronous=NORMAL` (`FULL` when the file system refuses WAL).
 *   A process crash (even SIGKILL mid-transaction) loses nothing committed and leaves no partial
 *   write; a power loss may lose the last transactions before a checkpoint, never corrupts the file.
 * - Locks: writers wait up to `busyTimeoutMs` for the write lock (readers never wait in WAL mode),
 *   then the call rejects with `StoreUnavailableError` and the run fails closed.
 * - Errors: an SQLite error other than busy or a constraint (the file cannot be opened, disk full,
 *   corruption, the store was closed, Node without `node:sqlite`) rejects with `StoreUnavailableError`;
 *   the next call opens the file again.
 * - Approvals: `waitForAnswer` polls the row every `pollIntervalMs` (default 25 ms).
 * - Expiry: `startRun`'s `ttlMs` sets the run's `expires_at`; expired rows stay until
 *   {@link SqliteStore.purgeExpired} deletes them (call it from time to time, e.g. hourly).
 * - Needs Node ≥ 22.13 (or 22.12 with `--experimental-sqlite`): `node:sqlite` is loaded on first
 *   use, so importing ORBIT never needs it. Use a local disk: SQLite locks are not reliable over NFS/SMB.
 *
 * @example
 * ```ts
 * import { createOrbit, SqliteStore } from '@orbit-agents/core';
 *
 * const store = new SqliteStore({ path: '/var/lib/my-agent/orbit.db', busyTimeoutMs: 2_000 });
 * const orbit = createOrbit({ manifest, store });
 * const run = orbit.startRun();
 * // ... every process that opens /var/lib/my-agent/orbit.db shares the run's counts and approvals.
 * setInterval(() => void store.purgeExpired(), 3_600_000).unref();
 * await store.close();
 * ```
 */
export class SqliteStore implements RunStore {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly busyTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private connection?: { db: DatabaseSync; statements: Map<string, StatementSync> };
  private opening?: Promise<{ db: DatabaseSync; statements: Map<string, StatementSync> }>;
  private closed = false;
  private readonly sleepers = new Set<() => void>();

  constructor(options: SqliteStoreOptions) {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw new OptionsInvalidError('SqliteStore needs a path (a database file, or ":memory:").');
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    if (!Number.isFinite(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new OptionsInvalidError('SqliteStore busyTimeoutMs must be a finite number ≥ 0.');
    }
    const pollIntervalMs = options.pollIntervalMs ?? 25;
    if (!Number.isFinite(pollIntervalMs) || pollIntervalMs <= 0) {
      throw new OptionsInvalidError('SqliteStore pollIntervalMs must be a finite number > 0.');
    }
    this.path = options.path;
    this.busyTimeoutMs = busyTimeoutMs;
    this.pollIntervalMs = pollIntervalMs;
  }

  async startRun(treeId: string, runId: string, startedAt: number, ttlMs: number): Promise<void> {
    const expiresAt = Number.isFinite(ttlMs) ? startedAt + ttlMs : null;
    await this.execute((sql) => {
      // A resumed run keeps its counters; its expiry only moves later (NULL: never expires).
      sql(
        `INSERT INTO runs (run_id, tree_id, started_at, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET expires_at =
           CASE WHEN runs.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
                ELSE MAX(runs.expires_at, excluded.expires_at) END`,
      ).run(runId, treeId, startedAt, expiresAt);
    });
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    return this.execute((sql) => {
      // Read the chain's counters (each run once), apply the shared rules, write back what changed.
      const loaded = new Map<string, { counters: RunCounters; before: RunCounters } | undefined>();
      const counters = request.chain.map(({ runId }) => {
        if (!loaded.has(runId)) {
          const found = loadCounters(sql, runId);
          loaded.set(runId, found && { counters: found, before: cloneCounters(found) });
        }
        return loaded.get(runId)?.counters;
      });
      const result = admitOn(request, counters);
      for (const [runId, entry] of loaded) if (entry) saveCounters(sql, runId, entry.counters, entry.before);
      return result;
    }, true);
  }

  async addTokens(_treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    await this.execute((sql) => {
      const update = sql('UPDATE runs SET tokens = tokens + ? WHERE run_id = ?');
      for (const runId of runIds) update.run(tokens, runId);
    }, true);
  }

  async extend(
    _treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    await this.execute((sql) => {
      sql(
        `UPDATE runs SET extra_tokens = extra_tokens + ?, extra_records = extra_records + ?, extra_ms = extra_ms + ?
         WHERE run_id = ?`,
      ).run(extension.tokens ?? 0, extension.records ?? 0, extension.ms ?? 0, runId);
    });
  }

  async halt(_treeId: string, runId: string): Promise<void> {
    await this.execute((sql) => {
      sql('UPDATE runs SET halted = 1 WHERE run_id = ?').run(runId);
    });
  }

  async putApproval(_treeId: string, approval: StoredApproval): Promise<void> {
    const { request } = approval;
    await this.execute((sql) => {
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
    return this.execute((sql) =>
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
    return this.execute((sql) => {
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
    return this.execute((sql) => {
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
    return this.execute(
      (sql) =>
        sql(
          `UPDATE approvals SET status = 'executing' WHERE approval_id = ? AND status IN ('approved', 'edited')`,
        ).run(approvalId).changes === 1,
    );
  }

  async completeExecution(_treeId: string, approvalId: string): Promise<void> {
    await this.execute((sql) => {
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
    return this.execute((sql) =>
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
    return this.execute((sql) =>
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
      await this.sleep(Math.min(this.pollIntervalMs, left));
    }
  }

  async revoke(target: { tokenId: string } | { treeId: string }): Promise<void> {
    const [kind, id] = 'tokenId' in target ? ['token', target.tokenId] : ['tree', target.treeId];
    await this.execute((sql) => {
      sql('INSERT INTO revocations (kind, id, revoked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(
        kind,
        id,
        Date.now(),
      );
    });
  }

  async isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean> {
    return this.execute(
      (sql) =>
        sql(
          `SELECT 1 FROM revocations WHERE (kind = 'tree' AND id = ?)
             OR (kind = 'token' AND id IN (SELECT value FROM json_each(?))) LIMIT 1`,
        ).get(treeId, JSON.stringify(tokenIds)) !== undefined,
    );
  }

  async appendAction(treeId: string, runId: string, action: StoredAction): Promise<void> {
    await this.execute((sql) => {
      sql(
        'INSERT INTO actions (tree_id, run_id, call_id, tool, reversibility, resource) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(treeId, runId, action.callId, action.tool, action.reversibility, action.resource ?? null);
    });
  }

  async listActions(_treeId: string, runId: string): Promise<StoredAction[]> {
    return this.execute((sql) =>
      sql('SELECT call_id, tool, reversibility, resource FROM actions WHERE run_id = ? ORDER BY id')
        .all(runId)
        .map((row) => ({
          callId: String(row.call_id),
          tool: String(row.tool),
          reversibility: String(row.reversibility) as Reversibility,
          ...(row.resource === null ? {} : { resource: String(row.resource) }),
        })),
    );
  }

  /**
   * Deletes the runs whose `expires_at` (`startRun`'s `startedAt + ttlMs`) is at or before `now`, with
   * their call counts, resource types and compensation logs, and the approvals of every run tree left
   * without runs. Revocations are kept (a revoked token must stay revoked). Not part of `RunStore`.
   */
  async purgeExpired(now: number = Date.now()): Promise<{ runs: number; approvals: number }> {
    return this.execute((sql) => {
      const expired = sql(
        'SELECT run_id, tree_id FROM runs WHERE expires_at IS NOT NULL AND expires_at <= ?',
      ).all(now);
      if (expired.length === 0) return { runs: 0, approvals: 0 };
      const runIds = JSON.stringify(expired.map((row) => row.run_id));
      const treeIds = JSON.stringify([...new Set(expired.map((row) => row.tree_id))]);
      for (const table of ['run_calls', 'run_resource_types', 'actions', 'runs']) {
        sql(`DELETE FROM ${table} WHERE run_id IN (SELECT value FROM json_each(?))`).run(runIds);
      }
      const approvals = sql(
        `DELETE FROM approvals WHERE tree_id IN (SELECT value FROM json_each(?))
           AND tree_id NOT IN (SELECT tree_id FROM runs)`,
      ).run(treeIds).changes;
      return { runs: expired.length, approvals: Number(approvals) };
    }, true);
  }

  /** Closes the file. Later calls reject with `StoreUnavailableError`, and so do `waitForAnswer`s in progress. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleepers) wake();
    await this.opening?.catch(() => undefined);
    this.drop();
  }

  /**
   * Runs `op` on the connection: in one `BEGIN IMMEDIATE` transaction when `transaction` (single
   * statements are atomic on their own). A busy file is tried again until `busyTimeoutMs`; the
   * operation is synchronous, so no other call of this process runs in between its reads and writes.
   */
  private async execute<T>(op: (sql: (text: string) => StatementSync) => T, transaction = false): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const { db, statements } = await this.connect();
      const sql = (text: string) => {
        let statement = statements.get(text);
        if (!statement) {
          statement = db.prepare(text);
          statements.set(text, statement);
        }
        return statement;
      };
      try {
        return transaction ? inTransaction(db, () => op(sql)) : op(sql);
      } catch (error) {
        if (isBusy(error) && Date.now() < deadline) {
          await this.pause(attempt, deadline);
          continue;
        }
        throw this.fail(error);
      }
    }
  }

  private async connect(): Promise<{ db: DatabaseSync; statements: Map<string, StatementSync> }> {
    if (this.closed) throw new StoreUnavailableError('sqlite', new Error('the store is closed'));
    if (this.connection) return this.connection;
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<{ db: DatabaseSync; statements: Map<string, StatementSync> }> {
    // Loaded on first use: importing ORBIT must not need node:sqlite (or print Node's experimental warning).
    const sqlite = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite') | undefined;
    if (!sqlite) {
      throw new StoreUnavailableError(
        'sqlite',
        new Error(`node:sqlite is not available in Node ${process.version} (needs ≥ 22.13)`),
      );
    }
    let db: DatabaseSync;
    try {
      db = new sqlite.DatabaseSync(this.path, { timeout: Math.min(this.busyTimeoutMs, LOCK_SLICE_MS) });
    } catch (error) {
      throw new StoreUnavailableError('sqlite', error);
    }
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        prepareFile(db, this.path);
        break;
      } catch (error) {
        if (isBusy(error) && Date.now() < deadline && !this.closed) {
          await this.pause(attempt, deadline);
          continue;
        }
        db.close();
        throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError('sqlite', error);
      }
    }
    if (this.closed) {
      db.close();
      throw new StoreUnavailableError('sqlite', new Error('the store is closed'));
    }
    this.connection = { db, statements: new Map() };
    return this.connection;
  }

  /** Maps an error to what the caller sees; drops the connection when the file itself failed. */
  private fail(error: unknown): unknown {
    if (error instanceof OrbitError) return error;
    const code = sqliteCode(error);
    if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
      return new StoreUnavailableError(
        'sqlite',
        new Error(`${this.path} stayed locked by another connection for ${this.busyTimeoutMs} ms`, {
          cause: error,
        }),
      );
    }
    if (code === SQLITE_CONSTRAINT) return error;
    if (code !== undefined || (error as { code?: unknown })?.code === 'ERR_INVALID_STATE') {
      this.drop(); // the next call opens the file again
      return new StoreUnavailableError('sqlite', error);
    }
    return error;
  }

  private drop(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.statements.clear();
    try {
      connection.db.close();
    } catch {
      // already closed
    }
  }

  /** Waits before trying a busy file again: 1 ms doubling to 16 ms, with jitter, never past the deadline. */
  private pause(attempt: number, deadline: number): Promise<void> {
    const base = Math.min(16, 2 ** attempt);
    return this.sleep(Math.max(0, Math.min(deadline - Date.now(), base / 2 + Math.random() * base)));
  }

  /** A timer that `close()` cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Pragmas and schema, once per connection. The version check skips the write lock when up to date. */
function prepareFile(db: DatabaseSync, path: string): void {
  const mode = String(db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode);
  // WAL + NORMAL: no fsync per commit, still atomic and crash-safe; without WAL only FULL is.
  db.exec(`PRAGMA synchronous = ${mode === 'wal' || mode === 'memory' ? 'NORMAL' : 'FULL'}`);
  const version = () => Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  if (version() === SQLITE_SCHEMA_VERSION) return;
  inTransaction(db, () => {
    const from = version(); // again, under the write lock: another process may have migrated meanwhile
    if (from > SQLITE_SCHEMA_VERSION) {
      throw new StoreUnavailableError(
        'sqlite',
        new Error(
          `${path} has schema version ${from}; this version of ORBIT knows up to ${SQLITE_SCHEMA_VERSION}`,
        ),
      );
    }
    for (let v = from; v < SQLITE_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION}`);
  });
}

function inTransaction<T>(db: DatabaseSync, op: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = op();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // the connection is gone; SQLite rolls back on close
      }
    }
    throw error;
  }
}

/** The primary SQLite result code of a node:sqlite error (`errcode` is the extended code). */
function sqliteCode(error: unknown): number | undefined {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  return code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number' ? errcode & 0xff : undefined;
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === SQLITE_BUSY || code === SQLITE_LOCKED;
}

function loadCounters(sql: (text: string) => StatementSync, runId: string): RunCounters | undefined {
  const row = sql(
    'SELECT started_at, tokens, records, halted, extra_tokens, extra_records, extra_ms FROM runs WHERE run_id = ?',
  ).get(runId);
  if (!row) return undefined;
  // A null prototype: a tool named `constructor` or `toString` is counted like any other.
  const calls: Record<string, number> = Object.create(null);
  for (const call of sql('SELECT tool, count FROM run_calls WHERE run_id = ?').all(runId)) {
    calls[String(call.tool)] = Number(call.count);
  }
  return {
    calls,
    tokens: Number(row.tokens),
    records: Number(row.records),
    startedAt: Number(row.started_at),
    halted: Number(row.halted) !== 0,
    extraTokens: Number(row.extra_tokens),
    extraRecords: Number(row.extra_records),
    extraMs: Number(row.extra_ms),
    resourceTypes: sql('SELECT type FROM run_resource_types WHERE run_id = ?')
      .all(runId)
      .map((type) => String(type.type)),
  };
}

function cloneCounters(counters: RunCounters): RunCounters {
  return {
    ...counters,
    calls: Object.assign(Object.create(null) as Record<string, number>, counters.calls),
    resourceTypes: [...counters.resourceTypes],
  };
}

/** Writes back what `admitOn` changed (it runs under the write lock, so absolute values are safe). */
function saveCounters(
  sql: (text: string) => StatementSync,
  runId: string,
  now: RunCounters,
  before: RunCounters,
): void {
  const scalars = [
    'tokens',
    'records',
    'startedAt',
    'halted',
    'extraTokens',
    'extraRecords',
    'extraMs',
  ] as const;
  if (scalars.some((key) => now[key] !== before[key])) {
    sql(
      `UPDATE runs SET tokens = ?, records = ?, started_at = ?, halted = ?, extra_tokens = ?, extra_records = ?, extra_ms = ?
       WHERE run_id = ?`,
    ).run(
      now.tokens,
      now.records,
      now.startedAt,
      now.halted ? 1 : 0,
      now.extraTokens,
      now.extraRecords,
      now.extraMs,
      runId,
    );
  }
  for (const tool of Object.keys(now.calls)) {
    if (now.calls[tool] === before.calls[tool]) continue;
    sql(
      'INSERT INTO run_calls (run_id, tool, count) VALUES (?, ?, ?) ON CONFLICT (run_id, tool) DO UPDATE SET count = excluded.count',
    ).run(runId, tool, now.calls[tool]!);
  }
  for (const type of now.resourceTypes) {
    if (!before.resourceTypes.includes(type)) {
      sql('INSERT INTO run_resource_types (run_id, type) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
        runId,
        type,
      );
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
