import { Redis, type RedisOptions } from 'ioredis';
import type { ApprovalAnswer } from '../approvals/approval.js';
import { OptionsInvalidError } from '../errors.js';
import {
  ADD_TOKENS,
  ADMIT,
  ADMIT_FLAGS,
  ANSWER_APPROVAL,
  APPEND_ACTION,
  APPROVAL_FIELDS,
  CLAIM_EXECUTION,
  COMPLETE_EXECUTION,
  EXPIRE_APPROVAL,
  EXTEND,
  HALT,
  PUT_APPROVAL,
  type RedisScript,
  START_RUN,
} from './redis-scripts.js';
import type {
  AdmitRequest,
  AdmitResult,
  AnswerResult,
  RunStore,
  StoredAction,
  StoredApproval,
} from './run-store.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

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

/** A `waitForAnswer` in progress. */
interface Waiter {
  treeId: string;
  approvalId: string;
  check: () => void;
  finish: (approval: StoredApproval | undefined) => void;
}

const DEFAULT_PREFIX = 'orbit';
const DEFAULT_RUN_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/** Redis error replies that mean "not available now" (the run fails closed), not a bug in a command. */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|MISCONF|OOM|NOAUTH|WRONGPASS)\b/;

/**
 * The Redis store: run ledgers, approvals, revocations and compensation logs shared by every process
 * that talks to one Redis (7+). Every check-and-count and every compare-and-set is one Lua script, so
 * it is atomic across processes; `admit` is one `EVALSHA` (one round trip).
 *
 * Key layout (`p` = prefix, `t` = tree id; `{t}` is a Redis Cluster hash tag, so a run tree's keys share
 * one slot and every per-tree script touches one slot only):
 * - `p:{t}:run:<runId>`: hash `started_at tokens records halted extra_tokens extra_records extra_ms`
 * - `p:{t}:calls:<runId>`: hash tool → calls; `p:{t}:types:<runId>`: set of resource types seen
 * - `p:{t}:actions:<runId>`: list of JSON actions (the compensation log)
 * - `p:{t}:approval:<approvalId>`: hash `tree request status hash requested_at expires_at answer answered_at`
 * - `p:{t}:approvals`: sorted set of the tree's approval ids, score `requestedAt` (for `listApprovals`)
 * - `p:{t}:revoked`: a revoked tree
 * - `p:revoked:tokens`: set of revoked token ids. Global, the one cross-slot key of the revocation check;
 *   it has no TTL (a revocation must outlive the token), so it grows with revocations.
 * - `p:pending`: sorted set of pending approvals across trees, score `requestedAt`, member
 *   `<treeId>|<approvalId>`. An index only: the approval hash is the truth. It is written and trimmed by
 *   separate commands (never inside a per-tree script), and `listPending` drops members whose approval is
 *   gone or answered. On Redis Cluster it lives in one slot and `listPending` reads approvals of many
 *   slots; this class takes a standalone client (`Redis`), a Cluster client would need per-slot batches.
 * - channel `p:answered`: message = approval id, published by the answer and timeout scripts.
 *
 * TTL: `startRun` sets (and, for a resumed run, refreshes) `ttlMs` on the run's keys; keys created later
 * (calls, types, actions) take the run's remaining TTL. `admit` does not refresh it: a run whose state
 * expired is unknown, so its calls are refused as halted (fail closed). Choose `ttlMs` longer than a run.
 * Revocations do not expire.
 *
 * Failures: every method rejects with `StoreUnavailableError` when Redis cannot be reached or answers with
 * an availability error (LOADING, BUSY, READONLY, OOM, ...). With the connections it opens (see
 * {@link RedisStore.clientOptions}) no command is queued while the server is down and none is resent after
 * a reconnect: a call fails at once, and a call in flight when the connection drops fails rather than
 * being counted twice (it may have been counted once: a refused call that was counted, the safe side).
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
    return {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: commandTimeoutMs,
      connectTimeout: commandTimeoutMs,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 5), 1_000),
    };
  }

  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly url: string | undefined;
  private readonly prefix: string;
  private readonly runTtlMs: number;
  private readonly commandTimeoutMs: number;
  private readonly channel: string;
  private readonly pendingKey: string;
  private readonly revokedTokensKey: string;
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly lastError = new WeakMap<Redis, Error>();
  private closed = false;
  /** Listeners the store put on clients, taken off on close (a client given to the store lives on). */
  private readonly listeners: {
    client: Redis;
    event: 'error' | 'ready';
    listener: (error?: Error) => void;
  }[] = [];

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
    this.commandTimeoutMs = positive(
      options.commandTimeoutMs,
      'commandTimeoutMs',
      DEFAULT_COMMAND_TIMEOUT_MS,
    );
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.channel = `${this.prefix}:answered`;
    this.pendingKey = `${this.prefix}:pending`;
    this.revokedTokensKey = `${this.prefix}:revoked:tokens`;
    this.url = options.url;
    if (options.redis) {
      this.redis = options.redis;
      this.ownsClient = false;
    } else {
      this.redis = this.open();
      this.ownsClient = true;
    }
    this.watch(this.redis);
  }

  async startRun(treeId: string, runId: string, startedAt: number, ttlMs: number): Promise<void> {
    const t = this.tree(treeId);
    await this.eval(
      START_RUN,
      [`${t}:run:${runId}`, `${t}:calls:${runId}`, `${t}:types:${runId}`, `${t}:actions:${runId}`],
      [String(startedAt), Number.isFinite(ttlMs) ? String(Math.max(1, Math.ceil(ttlMs))) : '0'],
    );
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const { keys, args } = this.admitArguments(request);
    const flags = Number(await this.eval(ADMIT, keys, args));
    return {
      admitted: (flags & ADMIT_FLAGS.admitted) !== 0,
      halted: (flags & ADMIT_FLAGS.halted) !== 0,
      callsExceeded: (flags & ADMIT_FLAGS.callsExceeded) !== 0,
      tokensExceeded: (flags & ADMIT_FLAGS.tokensExceeded) !== 0,
      recordsExceeded: (flags & ADMIT_FLAGS.recordsExceeded) !== 0,
      timeExceeded: (flags & ADMIT_FLAGS.timeExceeded) !== 0,
      newResourceType: (flags & ADMIT_FLAGS.newResourceType) !== 0,
    };
  }

  /** The KEYS and ARGV of the admit script for a request (exposed for the benchmark). */
  admitArguments(request: AdmitRequest): { keys: string[]; args: string[] } {
    const t = this.tree(request.treeId);
    const own = request.chain[0]?.runId ?? '';
    const keys = [`${t}:types:${own}`];
    const hasType = request.resourceType !== undefined;
    const args = [
      request.tool,
      String(request.records),
      String(Number.isFinite(request.tokens) && request.tokens > 0 ? request.tokens : 0),
      hasType ? '1' : '0',
      request.resourceType ?? '',
      request.resourceTypeKnown ? '1' : '0',
      request.count ? '1' : '0',
      request.approved ? '1' : '0',
      String(request.now),
    ];
    const limit = (value: number | undefined) => (value === undefined ? '' : String(value));
    for (const run of request.chain) {
      keys.push(`${t}:run:${run.runId}`, `${t}:calls:${run.runId}`);
      args.push(limit(run.maxCalls), limit(run.maxTokens), limit(run.maxRecords), limit(run.timeLimitMs));
    }
    return { keys, args };
  }

  async addTokens(treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    if (runIds.length === 0 || tokens === 0) return;
    const t = this.tree(treeId);
    await this.eval(
      ADD_TOKENS,
      runIds.map((id) => `${t}:run:${id}`),
      [String(tokens)],
    );
  }

  async extend(
    treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    await this.eval(
      EXTEND,
      [`${this.tree(treeId)}:run:${runId}`],
      [String(extension.tokens ?? 0), String(extension.records ?? 0), String(extension.ms ?? 0)],
    );
  }

  async halt(treeId: string, runId: string): Promise<void> {
    await this.eval(HALT, [`${this.tree(treeId)}:run:${runId}`], []);
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
    await this.eval(
      PUT_APPROVAL,
      [this.approvalKey(treeId, id), `${this.tree(treeId)}:approvals`],
      [String(this.runTtlMs), String(approval.requestedAt), id, ...fields],
    );
    const member = `${treeId}|${id}`;
    await this.run(() =>
      approval.status === 'pending'
        ? this.redis.zadd(this.pendingKey, approval.requestedAt, member)
        : this.redis.zrem(this.pendingKey, member),
    );
  }

  async getApproval(treeId: string, approvalId: string): Promise<StoredApproval | undefined> {
    const fields = await this.run(() =>
      this.redis.hmget(this.approvalKey(treeId, approvalId), ...APPROVAL_FIELDS),
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
    const reply = await this.eval(
      ANSWER_APPROVAL,
      [this.approvalKey(treeId, approvalId)],
      [answer.action_hash, status, JSON.stringify(answer), String(at), this.channel, approvalId],
    );
    return this.answered(treeId, approvalId, reply);
  }

  async expireApproval(treeId: string, approvalId: string, at: number): Promise<AnswerResult> {
    const reply = await this.eval(
      EXPIRE_APPROVAL,
      [this.approvalKey(treeId, approvalId)],
      [String(at), this.channel, approvalId],
    );
    return this.answered(treeId, approvalId, reply);
  }

  async claimExecution(treeId: string, approvalId: string): Promise<boolean> {
    return Number(await this.eval(CLAIM_EXECUTION, [this.approvalKey(treeId, approvalId)], [])) === 1;
  }

  async completeExecution(treeId: string, approvalId: string): Promise<void> {
    await this.eval(COMPLETE_EXECUTION, [this.approvalKey(treeId, approvalId)], []);
  }

  async listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]> {
    const indexKey = `${this.tree(treeId)}:approvals`;
    const ids = await this.run(() => this.redis.zrange(indexKey, 0, '-1'));
    const approvals = await this.readApprovals(ids.map((approvalId) => ({ treeId, approvalId })));
    const gone = ids.filter((_, i) => approvals[i] === undefined);
    if (gone.length > 0) this.redis.zrem(indexKey, ...gone).catch(() => {});
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
    const members = await this.run(() => this.redis.zrangebyscore(this.pendingKey, '-inf', max));
    const wanted = members
      .map((member) => {
        const bar = member.lastIndexOf('|');
        return { member, treeId: member.slice(0, bar), approvalId: member.slice(bar + 1) };
      })
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
    if (stale.length > 0) this.redis.zrem(this.pendingKey, ...stale).catch(() => {});
    return found.sort((a, b) => a.requestedAt - b.requestedAt);
  }

  async waitForAnswer(
    treeId: string,
    approvalId: string,
    timeoutMs: number,
  ): Promise<StoredApproval | undefined> {
    const answered = (approval: StoredApproval | undefined) =>
      approval !== undefined && approval.status !== 'pending';
    let waiter: Waiter | undefined;
    const result = new Promise<StoredApproval | undefined>((resolve) => {
      let settled = false;
      const finish = (approval: StoredApproval | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const set = this.waiters.get(approvalId);
        set?.delete(entry);
        if (set?.size === 0) this.waiters.delete(approvalId);
        resolve(approval);
      };
      const check = () => {
        this.getApproval(treeId, approvalId).then(
          (approval) => {
            if (answered(approval)) finish(approval);
          },
          () => {}, // a missed read is retried on the next message, reconnect or the timeout
        );
      };
      const entry: Waiter = { treeId, approvalId, check, finish };
      waiter = entry;
      // At the timeout, one last read: an answer whose message was lost (a reconnect) is still seen.
      const timer = setTimeout(() => {
        this.getApproval(treeId, approvalId).then(
          (approval) => finish(answered(approval) ? approval : undefined),
          () => finish(undefined),
        );
      }, timeoutMs);
      const set = this.waiters.get(approvalId) ?? new Set();
      set.add(entry);
      this.waiters.set(approvalId, set);
    });
    try {
      // Subscribe first, then read: an answer given in between is seen by one or the other.
      await this.subscribe();
      const current = await this.getApproval(treeId, approvalId);
      if (answered(current)) waiter?.finish(current);
    } catch (error) {
      waiter?.finish(undefined);
      throw error;
    }
    return result;
  }

  async revoke(target: { tokenId: string } | { treeId: string }): Promise<void> {
    if ('tokenId' in target) await this.run(() => this.redis.sadd(this.revokedTokensKey, target.tokenId));
    else await this.run(() => this.redis.set(`${this.tree(target.treeId)}:revoked`, '1'));
  }

  async isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean> {
    const treeKey = `${this.tree(treeId)}:revoked`;
    if (tokenIds.length === 0) return (await this.run(() => this.redis.exists(treeKey))) === 1;
    const replies = await this.run(() =>
      this.redis
        .pipeline()
        .exists(treeKey)
        .smismember(this.revokedTokensKey, ...tokenIds)
        .exec(),
    );
    const [[treeError, tree] = [], [tokensError, tokens] = []] = replies ?? [];
    if (treeError || tokensError) throw this.wrap(treeError ?? tokensError);
    return tree === 1 || (tokens as number[]).some((member) => member === 1);
  }

  async appendAction(treeId: string, runId: string, action: StoredAction): Promise<void> {
    const t = this.tree(treeId);
    await this.eval(
      APPEND_ACTION,
      [`${t}:actions:${runId}`, `${t}:run:${runId}`],
      [JSON.stringify(action), String(this.runTtlMs)],
    );
  }

  async listActions(treeId: string, runId: string): Promise<StoredAction[]> {
    const items = await this.run(() => this.redis.lrange(`${this.tree(treeId)}:actions:${runId}`, 0, -1));
    return items.map((item) => JSON.parse(item) as StoredAction);
  }

  /** Closes the pub/sub connection (and the command connection if the store opened it). Waiters get `undefined`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.finish(undefined);
    for (const { client, event, listener } of this.listeners) client.off(event, listener);
    const clients = [this.subscriber, this.ownsClient ? this.redis : undefined];
    await Promise.all(clients.map((client) => client && quit(client)));
  }

  private open(): Redis {
    const options = RedisStore.clientOptions(this.commandTimeoutMs);
    return this.url === undefined ? new Redis(options) : new Redis(this.url, options);
  }

  /** Remembers a client's last connection error (for error messages) and keeps ioredis from logging it. */
  private watch(client: Redis): void {
    const onError = (error?: Error) => {
      if (error) this.lastError.set(client, error);
    };
    const onReady = () => this.lastError.delete(client);
    client.on('error', onError);
    client.on('ready', onReady);
    this.listeners.push(
      { client, event: 'error', listener: onError },
      { client, event: 'ready', listener: onReady },
    );
  }

  private tree(treeId: string): string {
    return `${this.prefix}:{${treeId}}`;
  }

  private approvalKey(treeId: string, approvalId: string): string {
    return `${this.tree(treeId)}:approval:${approvalId}`;
  }

  /** `EVALSHA`, and `EVAL` (which caches the script again) when the server does not know it (`NOSCRIPT`). */
  private async eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    if (this.redis.status !== 'ready') await this.ready(this.redis);
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw this.wrap(error);
    }
    try {
      return await this.redis.eval(script.lua, keys.length, ...keys, ...args);
    } catch (error) {
      throw this.wrap(error);
    }
  }

  /** Runs one command (or pipeline) on the command connection, mapping connection failures. */
  private async run<T>(command: () => Promise<T>, client: Redis = this.redis): Promise<T> {
    if (client.status !== 'ready') await this.ready(client);
    try {
      return await command();
    } catch (error) {
      throw this.wrap(error);
    }
  }

  /**
   * Waits (at most `commandTimeoutMs`) for a connection being established; fails at once when the
   * connection is down (reconnecting in the background) or closed.
   */
  private async ready(client: Redis): Promise<void> {
    if (this.closed) throw new StoreUnavailableError('redis', new Error('the store is closed'));
    const down = () =>
      new StoreUnavailableError(
        'redis',
        this.lastError.get(client) ?? new Error(`connection ${client.status}`),
      );
    switch (client.status) {
      case 'ready':
        return;
      case 'wait':
        client.connect().catch(() => {});
        break;
      case 'connecting':
      case 'connect':
        break;
      default: // close, reconnecting, end: the server is down or the client was closed
        throw down();
    }
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () => done(down());
      const timer = setTimeout(
        () =>
          done(
            new StoreUnavailableError('redis', new Error(`no connection within ${this.commandTimeoutMs} ms`)),
          ),
        this.commandTimeoutMs,
      );
      client.on('ready', onReady);
      client.on('close', onClose);
    });
  }

  /** Connection failures and availability replies → `StoreUnavailableError`; other errors (bugs) as they are. */
  private wrap(error: unknown): Error {
    if (error instanceof StoreUnavailableError) return error;
    if (error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(error.message))
      return error;
    return new StoreUnavailableError('redis', error);
  }

  /** Reads approvals in one round trip (a pipeline of `HMGET`s); undefined for those that are gone. */
  private async readApprovals(
    refs: readonly { treeId: string; approvalId: string }[],
  ): Promise<(StoredApproval | undefined)[]> {
    if (refs.length === 0) return [];
    const replies = await this.run(() => {
      const pipeline = this.redis.pipeline();
      for (const r of refs) pipeline.hmget(this.approvalKey(r.treeId, r.approvalId), ...APPROVAL_FIELDS);
      return pipeline.exec();
    });
    return refs.map((_, i) => {
      const [error, fields] = replies?.[i] ?? [new Error('no reply from the pipeline')];
      if (error) throw this.wrap(error);
      return parseApproval(fields as (string | null)[]);
    });
  }

  /** Subscribes the pub/sub connection to the answer channel, once; opened on the first wait. */
  private subscribe(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    if (this.closed)
      return Promise.reject(new StoreUnavailableError('redis', new Error('the store is closed')));
    const sub = this.redis.duplicate(
      this.ownsClient ? RedisStore.clientOptions(this.commandTimeoutMs) : undefined,
    );
    this.subscriber = sub;
    this.watch(sub);
    sub.on('message', (channel: string, approvalId: string) => {
      if (channel !== this.channel) return;
      for (const waiter of this.waiters.get(approvalId) ?? []) waiter.check();
    });
    // Messages sent while the connection was down are lost: after a reconnect, read every awaited approval.
    let first = true;
    sub.on('ready', () => {
      if (first) {
        first = false;
        return;
      }
      for (const set of this.waiters.values()) for (const waiter of set) waiter.check();
    });
    const subscribed = this.run(() => sub.subscribe(this.channel), sub).then(() => undefined);
    this.subscribed = subscribed;
    // A failed subscription is tried again by the next wait.
    subscribed.catch(() => {
      if (this.subscribed === subscribed) {
        this.subscribed = undefined;
        this.subscriber = undefined;
        sub.disconnect();
      }
    });
    return subscribed;
  }

  /** The result of an answer or timeout script; an answered approval leaves the pending index (best effort). */
  private answered(treeId: string, approvalId: string, reply: unknown): AnswerResult {
    const result = this.answerResult(treeId, approvalId, reply);
    if (result.ok) this.redis.zrem(this.pendingKey, `${treeId}|${approvalId}`).catch(() => {});
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

/** Closes a connection: `QUIT` when it is up, a disconnect otherwise (or when `QUIT` fails). */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
