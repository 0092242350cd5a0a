/**
 * The keys and the channel of the Redis store under one prefix (the layout is described on `RedisStore`).
 * `p:{t}` is a Redis Cluster hash tag: a run tree's keys share one slot.
 */
export class RedisKeys {
  /** Channel `p:answered`: message = approval id, published by the answer and timeout scripts. */
  readonly channel: string;
  /** Sorted set `p:pending` of pending approvals across trees (an index only). */
  readonly pending: string;
  /** Set `p:revoked:tokens` of revoked token ids (global, no TTL). */
  readonly revokedTokens: string;
  /** List `p:revoked:log` of every revocation in order (`t:<tokenId>` or `r:<treeId>`; global, no TTL). */
  readonly revocationLog: string;
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.channel = `${prefix}:answered`;
    this.pending = `${prefix}:pending`;
    this.revokedTokens = `${prefix}:revoked:tokens`;
    this.revocationLog = `${prefix}:revoked:log`;
  }

  /** `p:{t}`, the start of every key of a run tree. */
  tree(treeId: string): string {
    return `${this.prefix}:{${treeId}}`;
  }

  /** Hash of a run's counters. */
  run(treeId: string, runId: string): string {
    return `${this.tree(treeId)}:run:${runId}`;
  }

  /** Hash tool → calls of a run. */
  calls(treeId: string, runId: string): string {
    return `${this.tree(treeId)}:calls:${runId}`;
  }

  /**
   * Hash `<tool>NUL<resource>` → calls of a run, of the tools the run limits per resource
   * (`max_calls_per_resource`) only.
   */
  resourceCalls(treeId: string, runId: string): string {
    return `${this.tree(treeId)}:rcalls:${runId}`;
  }

  /** Set of the resource types a run has seen. */
  types(treeId: string, runId: string): string {
    return `${this.tree(treeId)}:types:${runId}`;
  }

  /** List of a run's JSON actions (the compensation log). */
  actions(treeId: string, runId: string): string {
    return `${this.tree(treeId)}:actions:${runId}`;
  }

  /**
   * Hash `version digest` of an agent's newest manifest (no TTL: it must outlive every run). Its own
   * hash tag: it belongs to no run tree.
   */
  manifest(agentId: string): string {
    return `${this.prefix}:manifest:{${agentId}}`;
  }

  /** Hash of one approval. */
  approval(treeId: string, approvalId: string): string {
    return `${this.tree(treeId)}:approval:${approvalId}`;
  }

  /** Sorted set of a tree's approval ids, score `requestedAt`. */
  approvals(treeId: string): string {
    return `${this.tree(treeId)}:approvals`;
  }

  /** Set when the whole tree is revoked. */
  treeRevoked(treeId: string): string {
    return `${this.tree(treeId)}:revoked`;
  }

  /** JSON of a minted token (its lineage and window), kept until the token expires. */
  token(treeId: string, jti: string): string {
    return `${this.tree(treeId)}:token:${jti}`;
  }

  /** The member of an approval in the pending index: `<treeId>|<approvalId>`. */
  pendingMember(treeId: string, approvalId: string): string {
    return `${treeId}|${approvalId}`;
  }

  /** The tree and approval of a pending-index member (split at the last `|`). */
  parsePendingMember(member: string): { member: string; treeId: string; approvalId: string } {
    const bar = member.lastIndexOf('|');
    return { member, treeId: member.slice(0, bar), approvalId: member.slice(bar + 1) };
  }
}
