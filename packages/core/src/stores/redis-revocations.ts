import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { type MintedToken, type RevocationLog, TOKEN_RECORD_GRACE_MS } from './run-store.js';

/**
 * Appends a log entry; an empty log first gets a header `e:<epoch>`, a random id of this log's life. A
 * Redis restarted empty (or a lost log key) starts a new epoch, so a reader's cursor into the old log is
 * never taken as a position in the new one.
 */
const APPEND_LOG = `
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('RPUSH', KEYS[1], 'e:' .. ARGV[2]) end
return redis.call('RPUSH', KEYS[1], ARGV[1])
`;

/**
 * Revocations and minted tokens in Redis. A revocation is written with its log entry in one `MULTI`, so
 * the log (`p:revoked:log`, read from a cursor by every process's verifier) never misses one.
 */
export class RedisRevocations {
  private readonly connection: RedisConnection;
  private readonly keys: RedisKeys;

  constructor(connection: RedisConnection, keys: RedisKeys) {
    this.connection = connection;
    this.keys = keys;
  }

  async revoke(target: { tokenId: string } | { treeId: string }): Promise<void> {
    const { redis } = this.connection;
    const transaction = redis.multi();
    const epoch = randomUUID();
    if ('tokenId' in target)
      transaction
        .sadd(this.keys.revokedTokens, target.tokenId)
        .eval(APPEND_LOG, 1, this.keys.revocationLog, `t:${target.tokenId}`, epoch);
    else
      transaction
        .set(this.keys.treeRevoked(target.treeId), '1')
        .eval(APPEND_LOG, 1, this.keys.revocationLog, `r:${target.treeId}`, epoch);
    const replies = await this.connection.run(() => transaction.exec());
    const failed = replies?.find(([error]) => error)?.[0];
    if (failed) throw this.connection.wrap(failed);
  }

  async isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean> {
    const { redis } = this.connection;
    const treeKey = this.keys.treeRevoked(treeId);
    if (tokenIds.length === 0) return (await this.connection.run(() => redis.exists(treeKey))) === 1;
    const replies = await this.connection.run(() =>
      redis
        .pipeline()
        .exists(treeKey)
        .smismember(this.keys.revokedTokens, ...tokenIds)
        .exec(),
    );
    const [[treeError, tree] = [], [tokensError, tokens] = []] = replies ?? [];
    if (treeError || tokensError) throw this.connection.wrap(treeError ?? tokensError);
    return tree === 1 || (tokens as number[]).some((member) => member === 1);
  }

  /**
   * The log entries after `cursor` (its index in the list) of the log's `epoch`. From 0, the revoked-token
   * set too: tokens an earlier version revoked are not in the log. A cursor into another epoch (the log
   * was lost: a Redis restarted empty) reads the new log from its start, never from the old position.
   */
  async revocationsSince(cursor: number, epoch?: string): Promise<RevocationLog> {
    const { redis } = this.connection;
    const pipeline = redis
      .pipeline()
      .lindex(this.keys.revocationLog, 0)
      .lrange(this.keys.revocationLog, cursor, -1);
    if (cursor === 0) pipeline.smembers(this.keys.revokedTokens);
    const replies = (await this.connection.run(() => pipeline.exec())) ?? [];
    const failed = replies.find(([error]) => error)?.[0];
    if (failed) throw this.connection.wrap(failed);
    const header = replies[0]?.[1] as string | null;
    const current = header?.startsWith('e:') ? header.slice(2) : undefined;
    if (cursor > 0 && current !== epoch) return this.revocationsSince(0);
    const entries = (replies[1]?.[1] ?? []) as string[];
    const log: RevocationLog = {
      cursor: cursor + entries.length,
      tokenIds: (replies[2]?.[1] ?? []) as string[],
      treeIds: [],
    };
    if (current !== undefined) log.epoch = current;
    for (const entry of entries) {
      if (entry.startsWith('t:')) log.tokenIds.push(entry.slice(2));
      else if (entry.startsWith('r:')) log.treeIds.push(entry.slice(2));
    }
    return log;
  }

  async recordToken(treeId: string, token: MintedToken): Promise<void> {
    const expiresAt = token.exp * 1000 + TOKEN_RECORD_GRACE_MS;
    await this.connection.run(() =>
      this.connection.redis.set(this.keys.token(treeId, token.jti), JSON.stringify(token), 'PXAT', expiresAt),
    );
  }

  async getToken(treeId: string, jti: string): Promise<MintedToken | undefined> {
    const value = await this.connection.run(() => this.connection.redis.get(this.keys.token(treeId, jti)));
    return value === null ? undefined : (JSON.parse(value) as MintedToken);
  }
}
