import type { RedisApprovals } from './redis-approvals.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { StoredApproval } from './run-store.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/** A `waitForAnswer` in progress. */
interface Waiter {
  treeId: string;
  approvalId: string;
  check: () => void;
  finish: (approval: StoredApproval | undefined) => void;
}

/**
 * `waitForAnswer` on the Redis store: waiters woken by the answer channel (pub/sub), with a read after
 * subscribing, after every reconnect and at the timeout, so an answer whose message was lost is still seen.
 */
export class RedisAnswerWaits {
  private readonly connection: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly approvals: RedisApprovals;
  private subscribed: Promise<void> | undefined;
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(connection: RedisConnection, keys: RedisKeys, approvals: RedisApprovals) {
    this.connection = connection;
    this.keys = keys;
    this.approvals = approvals;
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
        this.approvals.getApproval(treeId, approvalId).then(
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
        this.approvals.getApproval(treeId, approvalId).then(
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
      const current = await this.approvals.getApproval(treeId, approvalId);
      if (answered(current)) waiter?.finish(current);
    } catch (error) {
      waiter?.finish(undefined);
      throw error;
    }
    return result;
  }

  /** Ends every wait in progress with `undefined` (the store is closing). */
  finishAll(): void {
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.finish(undefined);
  }

  /** Subscribes the pub/sub connection to the answer channel, once; opened on the first wait. */
  private subscribe(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    if (this.connection.closed)
      return Promise.reject(new StoreUnavailableError('redis', new Error('the store is closed')));
    const sub = this.connection.openSubscriber();
    sub.on('message', (channel: string, approvalId: string) => {
      if (channel !== this.keys.channel) return;
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
    const subscribed = this.connection.run(() => sub.subscribe(this.keys.channel), sub).then(() => undefined);
    this.subscribed = subscribed;
    // A failed subscription is tried again by the next wait.
    subscribed.catch(() => {
      if (this.subscribed === subscribed) {
        this.subscribed = undefined;
        this.connection.dropSubscriber(sub);
      }
    });
    return subscribed;
  }
}
