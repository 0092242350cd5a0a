import { stat } from 'node:fs/promises';
import type { AuditEvent } from '@orbit-agents/core';
import { readAuditEvents } from '@orbit-agents/core/metrics';

interface Cached {
  size: number;
  mtimeMs: number;
  events: AuditEvent[];
}

/**
 * The audit files the console was given (`--audit`), read again only when a file changed (size or
 * modification time): agents keep appending while the console runs. A line that is not an audit event
 * (a line being written right now) is skipped; a file that went away counts as empty.
 */
export class AuditIndex {
  private readonly cache = new Map<string, Cached>();

  constructor(readonly files: readonly string[]) {}

  /** True when no audit file was given: the console cannot show history. */
  get empty(): boolean {
    return this.files.length === 0;
  }

  /** Changes when any audit file changed (size or modification time): the history may have grown. */
  async signature(): Promise<string> {
    const parts: string[] = [];
    for (const file of this.files) {
      const info = await stat(file).catch(() => undefined);
      parts.push(info ? `${info.size}:${info.mtimeMs}` : '-');
    }
    return parts.join(',');
  }

  /** Every event of every file, file by file, in file order. */
  async events(): Promise<AuditEvent[]> {
    const all: AuditEvent[] = [];
    for (const file of this.files) all.push(...(await this.read(file)));
    return all;
  }

  /** The events of the runs in `runIds`. */
  async eventsOf(runIds: ReadonlySet<string>): Promise<AuditEvent[]> {
    return (await this.events()).filter((event) => runIds.has(event.run_id));
  }

  private async read(file: string): Promise<AuditEvent[]> {
    const info = await stat(file).catch(() => undefined);
    if (!info) return [];
    const cached = this.cache.get(file);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.events;
    const events: AuditEvent[] = [];
    try {
      for await (const event of readAuditEvents(file, { onInvalidLine: 'skip' })) events.push(event);
    } catch {
      return cached?.events ?? [];
    }
    this.cache.set(file, { size: info.size, mtimeMs: info.mtimeMs, events });
    return events;
  }
}
