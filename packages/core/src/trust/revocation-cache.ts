import { OptionsInvalidError } from '../errors.js';
import type { RunStore } from '../stores/run-store.js';

/** What a trust authority reads and writes in a store: the revocation log and the minted tokens. */
export type TrustStore = Pick<RunStore, 'revocationsSince' | 'recordToken' | 'getToken'>;

/** How stale a process's view of a store's revocations may be, by default: 1 s. */
export const DEFAULT_REVOCATION_STALENESS_MS = 1000;

/**
 * One process's view of a store's revocations. The store's log is read from a cursor at most once per
 * `stalenessMs` (0: at every check), so a revocation made in another process is seen by every check that
 * starts `stalenessMs` after it, without a store round trip per call. The checks themselves are
 * synchronous lookups in the sets read so far.
 */
export class RevocationCache {
  readonly store: TrustStore;
  readonly stalenessMs: number;
  private readonly now: () => number;
  private readonly tokens = new Set<string>();
  private readonly trees = new Set<string>();
  private cursor = 0;
  /** The epoch of the log `cursor` points into (stores that can lose their log: Redis). */
  private epoch: string | undefined;
  /** When the newest completed read started (ms since the epoch). */
  private readAt = Number.NEGATIVE_INFINITY;
  private inFlight: { startedAt: number; done: Promise<void> } | undefined;

  constructor(store: TrustStore, options: { stalenessMs: number; now: () => number }) {
    this.store = store;
    this.stalenessMs = options.stalenessMs;
    this.now = options.now;
  }

  /**
   * `undefined` when the view is fresh; otherwise the read of the store's new revocations, to await
   * before a check. A read started within the staleness window is shared.
   *
   * @throws (rejects with) the store's error, e.g. `StoreUnavailableError`: the caller fails closed.
   */
  refresh(): Promise<void> | undefined {
    const startedAt = this.now();
    if (startedAt - this.readAt < this.stalenessMs) return undefined;
    if (this.inFlight && startedAt - this.inFlight.startedAt < this.stalenessMs) return this.inFlight.done;
    const done: Promise<void> = this.store
      .revocationsSince(this.cursor, this.epoch)
      .then((log) => {
        for (const id of log.tokenIds) this.tokens.add(id);
        for (const id of log.treeIds) this.trees.add(id);
        // Reads may overlap: the sets only grow, so the newest cursor and start time win. A new epoch
        // (the store lost its log and started another) takes its cursor as it is.
        if (log.epoch !== this.epoch) {
          this.epoch = log.epoch;
          this.cursor = log.cursor;
        } else if (log.cursor > this.cursor) this.cursor = log.cursor;
        if (startedAt > this.readAt) this.readAt = startedAt;
      })
      .finally(() => {
        if (this.inFlight?.done === done) this.inFlight = undefined;
      });
    this.inFlight = { startedAt, done };
    return done;
  }

  /** True when the tree was revoked, as of the last read. */
  isTreeRevoked(treeId: string): boolean {
    return this.trees.has(treeId);
  }

  /** True when the token, one of its ancestors or its tree was revoked, as of the last read. No allocation. */
  isRevoked(treeId: string, jti: string, chain: readonly string[]): boolean {
    if (this.trees.size > 0 && this.trees.has(treeId)) return true;
    if (this.tokens.size === 0) return false;
    if (this.tokens.has(jti)) return true;
    for (const ancestor of chain) if (this.tokens.has(ancestor)) return true;
    return false;
  }
}

/**
 * A staleness option, checked at the edge: the default when absent.
 *
 * @throws OptionsInvalidError naming the option.
 */
export function checkStaleness(value: unknown, name: string): number {
  if (value === undefined) return DEFAULT_REVOCATION_STALENESS_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new OptionsInvalidError(
      `${name} must be a finite number of ms >= 0 (0: every check asks the store), got ${String(value)}.`,
    );
  return value;
}
