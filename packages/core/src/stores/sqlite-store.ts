import type { ApprovalAnswer } from '../approvals/approval.js';
import { OptionsInvalidError } from '../errors.js';
import type { ManifestOrder } from '../manifest/manifest-order.js';
import type { Reversibility } from '../manifest/manifest-schema.js';
import {
  type AdmitRequest,
  type AdmitResult,
  type AnswerResult,
  type MintedToken,
  type RevocationLog,
  type RunRecord,
  type RunStore,
  type StartRunMode,
  type StartRunResult,
  type StoredAction,
  type StoredApproval,
  TOKEN_RECORD_GRACE_MS,
} from './run-store.js';
import { SqliteApprovals } from './sqlite-approvals.js';
import { SqliteConnection } from './sqlite-connection.js';
import { SqliteRunCounters } from './sqlite-run-counters.js';

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

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
 *   the next call opens the file again. Other errors reject as they are: a constraint violation (the
 *   SQLite error), a value `node:sqlite` cannot bind or
 *   JSON cannot encode (a `TypeError`), a corrupt JSON column
 *   (a `SyntaxError`).
 * - Approvals: `waitForAnswer` polls the row every `pollIntervalMs` (default 25 ms).
 * - Lost state: a run's row is its record (with the manifest digest it started with). `admit` reads it in
 *   its transaction: a run whose row is gone is reported `stateLost` (halted), and resuming it fails.
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
  private readonly db: SqliteConnection;
  private readonly runs: SqliteRunCounters;
  private readonly approvals: SqliteApprovals;

  /**
   * A store on `options.path`; the file is opened on first use (a failure to open rejects that call).
   *
   * @throws OptionsInvalidError when `path` is not a non-empty string, `busyTimeoutMs` is not a finite
   * number >= 0, or `pollIntervalMs` is not a finite number > 0.
   */
  constructor(options: SqliteStoreOptions) {
    // Refused here, not as an outage at every call: without node:sqlite this store can never work.
    if (!sqliteAvailable()) {
      throw new OptionsInvalidError(
        `SqliteStore needs node:sqlite, built into Node >= 22.13 (this is Node ${process.version}): run on a newer Node, or use RedisStore or MemoryStore.`,
      );
    }
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
    this.db = new SqliteConnection(options.path, busyTimeoutMs);
    this.runs = new SqliteRunCounters(this.db);
    this.approvals = new SqliteApprovals(this.db, pollIntervalMs);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  startRun(record: RunRecord, options: { mode: StartRunMode; ttlMs: number }): Promise<StartRunResult> {
    return this.runs.startRun(record, options);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  recordManifest(agentId: string, version: number, digest: string): Promise<ManifestOrder> {
    return this.runs.recordManifest(agentId, version, digest);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  admit(request: AdmitRequest): Promise<AdmitResult> {
    return this.runs.admit(request);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  addTokens(treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    return this.runs.addTokens(treeId, runIds, tokens);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  extend(
    treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    return this.runs.extend(treeId, runId, extension);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  halt(treeId: string, runId: string): Promise<void> {
    return this.runs.halt(treeId, runId);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  putApproval(treeId: string, approval: StoredApproval): Promise<void> {
    return this.approvals.putApproval(treeId, approval);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  getApproval(treeId: string, approvalId: string): Promise<StoredApproval | undefined> {
    return this.approvals.getApproval(treeId, approvalId);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  answerApproval(
    treeId: string,
    approvalId: string,
    answer: ApprovalAnswer,
    at: number,
  ): Promise<AnswerResult> {
    return this.approvals.answerApproval(treeId, approvalId, answer, at);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  expireApproval(treeId: string, approvalId: string, at: number): Promise<AnswerResult> {
    return this.approvals.expireApproval(treeId, approvalId, at);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  claimExecution(treeId: string, approvalId: string): Promise<boolean> {
    return this.approvals.claimExecution(treeId, approvalId);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  completeExecution(treeId: string, approvalId: string): Promise<void> {
    return this.approvals.completeExecution(treeId, approvalId);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]> {
    return this.approvals.listApprovals(treeId, filter);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  listPending(
    filter: { agentId?: string; treeId?: string; olderThanMs?: number; now?: number } = {},
  ): Promise<StoredApproval[]> {
    return this.approvals.listPending(filter);
  }

  /**
   * Polls the approval every `pollIntervalMs` (another process may answer it) until it is no longer
   * pending.
   *
   * @throws StoreUnavailableError when a read fails or the store is closed meanwhile (see the class).
   */
  waitForAnswer(treeId: string, approvalId: string, timeoutMs: number): Promise<StoredApproval | undefined> {
    return this.approvals.waitForAnswer(treeId, approvalId, timeoutMs);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async revoke(target: { tokenId: string } | { treeId: string }): Promise<void> {
    const [kind, id] = 'tokenId' in target ? ['token', target.tokenId] : ['tree', target.treeId];
    await this.db.execute((sql) => {
      const added = sql(
        'INSERT INTO revocations (kind, id, revoked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(kind, id, Date.now()).changes;
      if (Number(added) > 0) sql('INSERT INTO revocation_log (kind, id) VALUES (?, ?)').run(kind, id);
    }, true);
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async revocationsSince(cursor: number): Promise<RevocationLog> {
    return this.db.execute((sql) => {
      const log: RevocationLog = { cursor, tokenIds: [], treeIds: [] };
      for (const row of sql('SELECT seq, kind, id FROM revocation_log WHERE seq > ? ORDER BY seq').all(
        cursor,
      )) {
        (row.kind === 'token' ? log.tokenIds : log.treeIds).push(String(row.id));
        log.cursor = Number(row.seq);
      }
      return log;
    });
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async recordToken(treeId: string, token: MintedToken): Promise<void> {
    await this.db.execute((sql) => {
      sql(
        `INSERT INTO minted_tokens (tree_id, jti, parent_jti, chain, depth, iat, exp) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
      ).run(
        treeId,
        token.jti,
        token.parentJti,
        JSON.stringify(token.chain),
        token.depth,
        token.iat,
        token.exp,
      );
    });
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async getToken(treeId: string, jti: string): Promise<MintedToken | undefined> {
    return this.db.execute((sql) => {
      const row = sql(
        'SELECT jti, parent_jti, chain, depth, iat, exp FROM minted_tokens WHERE tree_id = ? AND jti = ?',
      ).get(treeId, jti);
      if (row === undefined) return undefined;
      return {
        jti: String(row.jti),
        parentJti: row.parent_jti === null ? null : String(row.parent_jti),
        chain: JSON.parse(String(row.chain)) as string[],
        depth: Number(row.depth),
        iat: Number(row.iat),
        exp: Number(row.exp),
      };
    });
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean> {
    return this.db.execute(
      (sql) =>
        sql(
          `SELECT 1 FROM revocations WHERE (kind = 'tree' AND id = ?)
             OR (kind = 'token' AND id IN (SELECT value FROM json_each(?))) LIMIT 1`,
        ).get(treeId, JSON.stringify(tokenIds)) !== undefined,
    );
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async appendAction(treeId: string, runId: string, action: StoredAction): Promise<void> {
    await this.db.execute((sql) => {
      const { callId, tool, reversibility, resource, ...detail } = action;
      sql(
        'INSERT INTO actions (tree_id, run_id, call_id, tool, reversibility, resource, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        treeId,
        runId,
        callId,
        tool,
        reversibility,
        resource ?? null,
        Object.keys(detail).length === 0 ? null : JSON.stringify(detail),
      );
    });
  }

  /** @throws StoreUnavailableError when the database cannot be used or the store is closed (see class). */
  async listActions(_treeId: string, runId: string): Promise<StoredAction[]> {
    return this.db.execute((sql) =>
      sql('SELECT call_id, tool, reversibility, resource, detail FROM actions WHERE run_id = ? ORDER BY id')
        .all(runId)
        .map((row) => ({
          ...(typeof row.detail === 'string' ? (JSON.parse(row.detail) as Partial<StoredAction>) : {}),
          callId: String(row.call_id),
          tool: String(row.tool),
          reversibility: String(row.reversibility) as Reversibility,
          ...(row.resource === null ? {} : { resource: String(row.resource) }),
        })),
    );
  }

  /**
   * Deletes the runs whose `expires_at` (`startRun`'s `startedAt + ttlMs`) is at or before `now`, with
   * their call counts (per tool and per resource), resource types and compensation logs, and the approvals of every run tree left
   * without runs, and the records of minted tokens expired by `now`. Revocations are kept (a revoked
   * token must stay revoked). Not part of `RunStore`.
   *
   * @throws StoreUnavailableError when the database cannot be used or the store is closed (see the
   * class).
   */
  async purgeExpired(now: number = Date.now()): Promise<{ runs: number; approvals: number }> {
    return this.db.execute((sql) => {
      sql('DELETE FROM minted_tokens WHERE exp * 1000 + ? <= ?').run(TOKEN_RECORD_GRACE_MS, now);
      const expired = sql(
        'SELECT run_id, tree_id FROM runs WHERE expires_at IS NOT NULL AND expires_at <= ?',
      ).all(now);
      if (expired.length === 0) return { runs: 0, approvals: 0 };
      const runIds = JSON.stringify(expired.map((row) => row.run_id));
      const treeIds = JSON.stringify([...new Set(expired.map((row) => row.tree_id))]);
      for (const table of ['run_calls', 'run_resource_calls', 'run_resource_types', 'actions', 'runs']) {
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
  close(): Promise<void> {
    return this.db.close();
  }
}

/** True where `node:sqlite` can be loaded without a flag (Node >= 22.13). */
function sqliteAvailable(): boolean {
  try {
    return process.getBuiltinModule?.('node:sqlite') !== undefined;
  } catch {
    return false;
  }
}
