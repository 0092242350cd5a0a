import type { Redis, RedisOptions } from 'ioredis';
import type { ApprovalAnswer } from '../approvals/approval.js';
import { OptionsInvalidError } from '../errors.js';
import type { ManifestOrder } from '../manifest/manifest-order.js';
import { RedisAnswerWaits } from './redis-answer-waits.js';
import { RedisApprovals } from './redis-approvals.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, RedisConnection, redisClientOptions } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { RedisRevocations } from './redis-revocations.js';
import { RedisRunCounters } from './redis-run-counters.js';
import { APPEND_ACTION } from './redis-scripts.js';
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

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * An ioredis client to use. The store does not close it (it is yours) and keeps its settings: give it the
   * fail-fast settings of {@link RedisStore.clientOptions} for a down server to fail calls quickly. The
   * pub/sub connection is `redis.duplicate()`, which the store owns and closes. Give `redis` or `url`, not both.
   */
  redis?: Redis;
  /** A `redis://` URL; the store opens (and closes) its own connections. Default: ioredis' default, localhost:6379. */
  url?: string;
  /** The first part of every key and channel. Default `orbit`. */
  prefix?: string;
  /**
   * The TTL of keys that belong to no started run: approvals (from `putApproval`) and the compensation log
   * of a run the store has not seen start. Keys of a started run follow the run's `ttlMs`. Default 24 h.
   */
  runTtlMs?: number;
  /**
   * For connections the store opens: a command that gets no reply in this time fails (ioredis
   * `commandTimeout`), and a call made while the connection is being (re)established waits at most this
   * long for it. Default 2,000 ms.
   */
  commandTimeoutMs?: number;
}

const DEFAULT_PREFIX = 'orbit';
const DEFAULT_RUN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The Redis store: run ledgers, approvals, revocations and compensation logs shared by every process
 * that talks to one Redis (7+). Every check-and-count and every compare-and-set is one Lua script, so
 * it is atomic across processes; `admit` is one `EVALSHA` (one round trip).
 *
 * Key layout (`p` = prefix, `t` = tree id; `{t}` is a Redis Cluster hash tag, so a run tree's keys share
 * one slot and every per-tree script touches one slot only):
 * - `p:{t}:run:<runId>`: the run's record and counters, hash `tree started_at manifest_digest tokens records
 *   halted extra_tokens extra_records extra_ms calls_made rcalls_made types_seen actions` (the last four say
 *   which of the keys below the run has written, and how many actions: a key found missing is lost state)
 * - `p:{t}:calls:<runId>`: hash tool → calls; `p:{t}:types:<runId>`: set of resource types seen
 * - `p:{t}:rcalls:<runId>`: hash `<tool>NUL<resource>` → calls, of the tools the run limits per resource
 * - `p:{t}:actions:<runId>`: list of JSON actions (the compensation log)
 * - `p:manifest:{<agentId>}`: hash `version digest` of the agent's newest manifest (no TTL)
 * - `p:{t}:approval:<approvalId>`: hash `tree request status hash requested_at expires_at answer answered_at`
 * - `p:{t}:approvals`: sorted set of the tree's approval ids, score `requestedAt` (for `listApprovals`)
 * - `p:{t}:revoked`: a revoked tree
 * - `p:{t}:token:<jti>`: JSON of a minted token (lineage and window), expiring a minute after the token
 * - `p:revoked:tokens`: set of revoked token ids. Global, the one cross-slot key of the revocation check;
 *   it has no TTL (a revocation must outlive the token), so it grows with revocations.
 * - `p:revoked:log`: list of every revocation in order (`t:<tokenId>`, `r:<treeId>`), written in one
 *   `MULTI` with the revocation; verifiers read it from their cursor. Global, no TTL.
 * - `p:pending`: sorted set of pending approvals across trees, score `requestedAt`, member
 *   `<treeId>|<approvalId>`. An index only: the approval hash is the truth. It is written and trimmed by
 *   separate commands (never inside a per-tree script), and `listPending` drops members whose approval is
 *   gone or answered. On Redis Cluster it lives in one slot and `listPending` reads approvals of many
 *   slots; this class takes a standalone client (`Redis`), a Cluster client would need per-slot batches.
 * - channel `p:answered`: message = approval id, published by the answer and timeout scripts.
 *
 * TTL: `startRun` sets (and, for a resumed run, refreshes) `ttlMs` on the run's keys; keys created later
 * (calls, resource calls, types, actions) take the run's remaining TTL. `admit` does not refresh it: a run
 * whose state expired is lost, so its calls are refused (`stateLost`, halted: fail closed). Choose `ttlMs`
 * longer than a run.
 *
 * Lost state: `admit` checks, inside its one script, that the run's record is there and that none of its
 * keys is gone (a deleted key, a Redis restarted empty); a resumed run needs its record. Either way the
 * run halts (`run_state_lost`) instead of starting again with a fresh budget.
 * Revocations do not expire.
 *
 * Failures: every method rejects with `StoreUnavailableError` when Redis cannot be reached or answers with
 * an availability error (LOADING, BUSY, READONLY, OOM, ...). With the connections it opens (see
 * {@link RedisStore.clientOptions}) no command is queued while the server is down and none is resent after
 * a reconnect: a call fails at once, and a call in flight when the connection drops fails rather than
 * being counted twice (it may have been counted once: a refused call that was counted, the safe side).
 * Other errors reject as they are: any other Redis error reply (ioredis' `ReplyError`, e.g. `WRONGTYPE`
 * or a script error), a corrupt JSON value (a `SyntaxError`), an unexpected script reply (an `Error`).
 */
export class RedisStore implements RunStore {
  readonly kind = 'redis';
  /**
   * The ioredis settings of the connections the store opens:
   * - `enableOfflineQueue: false`: a command sent while the connection is down fails at once (the store
   *   itself waits up to `commandTimeoutMs` for a connection that is being established);
   * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command in flight when the
   *   connection drops fails, it is never resent (an admit resent after a reconnect could count twice);
   * - `commandTimeout`: a server that accepts connections but does not answer fails calls too;
   * - `retryStrategy`: reconnects in the background, every 50 ms growing to 1 s, forever.
   */
  static clientOptions(commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): RedisOptions {
    return redisClientOptions(commandTimeoutMs);
  }

  private readonly runTtlMs: number;
  private readonly keys: RedisKeys;
  private readonly connection: RedisConnection;
  private readonly runs: RedisRunCounters;
  private readonly approvals: RedisApprovals;
  private readonly answers: RedisAnswerWaits;
  private readonly revocations: RedisRevocations;

  /**
   * A store on the given client or URL; a connection it opens connects in the background.
   *
   * @throws OptionsInvalidError when both `redis` and `url` are given, or `runTtlMs` or
   * `commandTimeoutMs` is not a positive finite number.
   */
  constructor(options: RedisStoreOptions = {}) {
    if (options.redis && options.url !== undefined) {
      throw new OptionsInvalidError('RedisStore: give `redis` (a client) or `url`, not both');
    }
    const positive = (value: number | undefined, name: string, fallback: number) => {
      if (value === undefined) return fallback;
      if (!Number.isFinite(value) || value <= 0) {
        throw new OptionsInvalidError(`RedisStore: \`${name}\` must be a positive number of ms`);
      }
      return value;
    };
    this.runTtlMs = Math.ceil(positive(options.runTtlMs, 'runTtlMs', DEFAULT_RUN_TTL_MS));
    const commandTimeoutMs = positive(
      options.commandTimeoutMs,
      'commandTimeoutMs',
      DEFAULT_COMMAND_TIMEOUT_MS,
    );
    this.keys = new RedisKeys(options.prefix ?? DEFAULT_PREFIX);
    this.connection = new RedisConnection({ redis: options.redis, url: options.url, commandTimeoutMs });
    this.runs = new RedisRunCounters(this.connection, this.keys);
    this.approvals = new RedisApprovals(this.connection, this.keys, this.runTtlMs);
    this.answers = new RedisAnswerWaits(this.connection, this.keys, this.approvals);
    this.revocations = new RedisRevocations(this.connection, this.keys);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  startRun(record: RunRecord, options: { mode: StartRunMode; ttlMs: number }): Promise<StartRunResult> {
    return this.runs.startRun(record, options);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  recordManifest(agentId: string, version: number, digest: string): Promise<ManifestOrder> {
    return this.runs.recordManifest(agentId, version, digest);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  admit(request: AdmitRequest): Promise<AdmitResult> {
    return this.runs.admit(request);
  }

  /** The KEYS and ARGV of the admit script for a request (exposed for the benchmark). */
  admitArguments(request: AdmitRequest): { keys: string[]; args: string[] } {
    return this.runs.admitArguments(request);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  addTokens(treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    return this.runs.addTokens(treeId, runIds, tokens);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  extend(
    treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    return this.runs.extend(treeId, runId, extension);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  halt(treeId: string, runId: string): Promise<void> {
    return this.runs.halt(treeId, runId);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  putApproval(treeId: string, approval: StoredApproval): Promise<void> {
    return this.approvals.putApproval(treeId, approval);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  getApproval(treeId: string, approvalId: string): Promise<StoredApproval | undefined> {
    return this.approvals.getApproval(treeId, approvalId);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  answerApproval(
    treeId: string,
    approvalId: string,
    answer: ApprovalAnswer,
    at: number,
  ): Promise<AnswerResult> {
    return this.approvals.answerApproval(treeId, approvalId, answer, at);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  expireApproval(treeId: string, approvalId: string, at: number): Promise<AnswerResult> {
    return this.approvals.expireApproval(treeId, approvalId, at);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  claimExecution(treeId: string, approvalId: string): Promise<boolean> {
    return this.approvals.claimExecution(treeId, approvalId);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  completeExecution(treeId: string, approvalId: string): Promise<void> {
    return this.approvals.completeExecution(treeId, approvalId);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]> {
    return this.approvals.listApprovals(treeId, filter);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  listPending(
    filter: { agentId?: string; treeId?: string; olderThanMs?: number; now?: number } = {},
  ): Promise<StoredApproval[]> {
    return this.approvals.listPending(filter);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  waitForAnswer(treeId: string, approvalId: string, timeoutMs: number): Promise<StoredApproval | undefined> {
    return this.answers.waitForAnswer(treeId, approvalId, timeoutMs);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  revoke(target: { tokenId: string } | { treeId: string }): Promise<void> {
    return this.revocations.revoke(target);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean> {
    return this.revocations.isRevoked(treeId, tokenIds);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  revocationsSince(cursor: number, epoch?: string): Promise<RevocationLog> {
    return this.revocations.revocationsSince(cursor, epoch);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  recordToken(treeId: string, token: MintedToken): Promise<void> {
    return this.revocations.recordToken(treeId, token);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  getToken(treeId: string, jti: string): Promise<MintedToken | undefined> {
    return this.revocations.getToken(treeId, jti);
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  async appendAction(treeId: string, runId: string, action: StoredAction): Promise<void> {
    await this.connection.eval(
      APPEND_ACTION,
      [this.keys.actions(treeId, runId), this.keys.run(treeId, runId)],
      [JSON.stringify(action), String(this.runTtlMs)],
    );
  }

  /** @throws StoreUnavailableError when Redis cannot be reached or is not available (see the class). */
  async listActions(treeId: string, runId: string): Promise<StoredAction[]> {
    const items = await this.connection.run(() =>
      this.connection.redis.lrange(this.keys.actions(treeId, runId), 0, -1),
    );
    return items.map((item) => JSON.parse(item) as StoredAction);
  }

  /** Closes the pub/sub connection (and the command connection if the store opened it). Waiters get `undefined`. */
  async close(): Promise<void> {
    if (this.connection.closed) return;
    this.answers.finishAll();
    await this.connection.close();
  }
}
