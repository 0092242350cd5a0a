import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { MintedToken, RevocationLog } from './run-store.js';

/** How long a minted token's record outlives its `exp`: more than any verifier's clock tolerance. */
const TOKEN_RECORD_GRACE_MS = 60_000;

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
    if ('tokenId' in target)
      transaction
        .sadd(this.keys.revokedTokens, target.tokenId)
        .rpush(this.keys.revocationLog, `t:${target.tokenId}`);
    else
      transaction
        .set(this.keys.treeRevoked(target.treeId), '1')
        .rpush(this.keys.revocationLog, `r:${target.treeId}`);
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
   * The log entries after `cursor` (its index in the list). From 0, the revoked-token set too: tokens an
   * earlier version revoked are not in the log.
   */
  async revocationsSince(cursor: number): Promise<RevocationLog> {
    const { redis } = this.connection;
    const pipeline = redis.pipeline().lrange(this.keys.revocationLog, cursor, -1);
    if (cursor === 0) pipeline.smembers(this.keys.revokedTokens);
    const replies = (await this.connection.run(() => pipeline.exec())) ?? [];
    const failed = replies.find(([error]) => error)?.[0];
    if (failed) throw this.connection.wrap(failed);
    const entries = (replies[0]?.[1] ?? []) as string[];
    const log: RevocationLog = {
      cursor: cursor + entries.length,
      tokenIds: (replies[1]?.[1] ?? []) as string[],
      treeIds: [],
    };
    for (const entry of entries) (entry.startsWith('t:') ? log.tokenIds : log.treeIds).push(entry.slice(2));
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
