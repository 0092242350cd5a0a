import type { ServerResponse } from 'node:http';
import type { RunStore } from '@orbit-agents/core/stores';
import type { AuditIndex } from './audit-index.js';
import { SECURITY_HEADERS } from './http-util.js';
import { fingerprint, readInbox } from './inbox.js';

/** How often the store is read for changes while a page is open. */
export const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;
/** At most this many pages listen at once: more are refused (503), so a loop cannot exhaust the console. */
export const MAX_STREAMS = 32;

/**
 * Live updates by Server-Sent Events: while at least one page listens, the store's pending approvals
 * are read every `POLL_MS`, and the whole inbox is pushed to every page when the pending set changed
 * (an approval arrived, was answered here or elsewhere, or expired) or, while approvals are pending, an
 * audit file grew (their runs' history). A store that cannot be read is
 * pushed as an `unavailable` event; the page says so and keeps what it shows.
 */
export class LiveUpdates {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private polling = false;

  constructor(
    private readonly store: RunStore,
    private readonly audit: AuditIndex,
  ) {}

  /** True when another page may listen (fewer than `MAX_STREAMS` streams are open). */
  hasRoom(): boolean {
    return this.clients.size < MAX_STREAMS;
  }

  /** Adds a page's event stream and sends it the inbox at once. */
  async attach(res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
    await this.pushTo([res]);
    this.start();
  }

  /** Reads the store now (after an answer given here) instead of at the next tick. */
  async nudge(): Promise<void> {
    if (this.clients.size > 0) await this.poll();
  }

  /** Ends every stream and stops polling. */
  close(): void {
    this.stop();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
  }

  private stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    this.last = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const pending = await this.store.listPending({ now: Date.now() });
      const seen = `${fingerprint(pending)}|${pending.length > 0 ? await this.audit.signature() : ''}`;
      if (seen !== this.last) {
        this.last = seen;
        await this.pushTo([...this.clients]);
      }
    } catch (error) {
      this.broadcast('unavailable', { message: errorText(error) }, [...this.clients]);
      this.last = undefined;
    } finally {
      this.polling = false;
    }
  }

  private async pushTo(targets: ServerResponse[]): Promise<void> {
    try {
      const snapshot = await readInbox(this.store, this.audit);
      this.broadcast('inbox', snapshot, targets);
    } catch (error) {
      this.broadcast('unavailable', { message: errorText(error) }, targets);
    }
  }

  private broadcast(event: string, data: unknown, targets: ServerResponse[]): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of targets) res.write(frame);
  }
}

function errorText(error: unknown): string {
  return `the store cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}
