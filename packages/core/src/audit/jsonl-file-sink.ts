import { createHash, hash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEvent, AuditSink } from './audit-event.js';
import { serializeEvent } from './serialize-event.js';

export interface JsonlFileSinkOptions {
  /** Flush once this many characters are buffered. Default 64 Ki. */
  bufferBytes?: number;
  /**
   * Tamper evidence (default on): every line carries `seq` and `prev_hash`, the SHA-256 of the line
   * before it, so `verifyAuditFile` finds an edited, deleted or reordered line. One writer per file.
   */
  chain?: boolean;
}

/** The `prev_hash` of the first line of a chained audit file. */
export const GENESIS_HASH = `sha256:${createHash('sha256').update('orbit-audit-genesis').digest('hex')}`;

/** The hash of one line (without its newline), as the next line's `prev_hash`. */
export function lineHash(line: string): string {
  return `sha256:${hash('sha256', line, 'hex')}`;
}

const open = new Set<JsonlFileSink>();
let exitHookInstalled = false;

/**
 * The embedded default sink: appends one JSON object per line to a file. Events are buffered and
 * written on `flush()`, when the buffer fills, on `close()` and when the process exits.
 */
export class JsonlFileSink implements AuditSink {
  readonly path: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private bytes = 0;
  private readonly limit: number;
  private readonly chain: boolean;
  private seq = 0;
  private prevHash = GENESIS_HASH;

  /**
   * Opens (creating it and its directory when absent) the file to append to, and continues its chain.
   *
   * @throws Error, Node's file-system error as it is (`EACCES`, `ENOTDIR`, `EISDIR`, ...), when the
   * directory cannot be created or the file cannot be opened or read.
   */
  constructor(path: string, options: JsonlFileSinkOptions = {}) {
    this.path = path;
    this.limit = options.bufferBytes ?? 64 * 1024;
    this.chain = options.chain !== false;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a+');
    if (this.chain) this.resumeChain(this.fd);
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const sink of open) sink.close();
      });
      // A signal does not emit 'exit': flush, then let the signal do what it would have done.
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
        process.once(signal, () => {
          // Flush, not close: an application that handles the signal itself may still write events.
          for (const sink of open) sink.flush();
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
      }
    }
  }

  /**
   * Buffers one event as a line (with `seq` and `prev_hash` when chained); flushes when the buffer is full.
   *
   * A field JSON cannot encode (a tool's output with a BigInt or a cycle, a getter that throws) is
   * written as the marker `"[unserializable: <why>]"` and named in the line's `unserializable` list:
   * the event is always written.
   *
   * @throws Error, Node's file-system error, when the buffer is full and the flush fails (see `flush`).
   */
  write(event: AuditEvent): void {
    let line = serializeEvent(event);
    if (this.chain) {
      // `seq` and `prev_hash` lead the line; the event's own fields follow unchanged.
      line = `{"seq":${++this.seq},"prev_hash":"${this.prevHash}",${line.slice(1)}`;
      this.prevHash = lineHash(line);
    }
    this.buffer.push(`${line}\n`);
    this.bytes += line.length + 1;
    if (this.bytes >= this.limit) this.flush();
  }

  /** Continues the chain of an existing file from its last line. */
  private resumeChain(fd: number): void {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const chunk = Buffer.alloc(Math.min(size, 1024 * 1024));
    readSync(fd, chunk, 0, chunk.length, size - chunk.length);
    const text = chunk.toString('utf8').replace(/\n+$/, '');
    const last = text.slice(text.lastIndexOf('\n') + 1);
    try {
      const parsed = JSON.parse(last) as { seq?: unknown };
      if (typeof parsed.seq === 'number') this.seq = parsed.seq;
    } catch {
      // A torn last line: the verifier will report it; the chain goes on from its bytes.
    }
    this.prevHash = lineHash(last);
  }

  /**
   * Writes the buffered lines to the file (reopening it after `close()`).
   *
   * @throws Error, Node's file-system error (`ENOSPC`, `EACCES`, ...), when the file cannot be reopened
   * or written; the lines stay buffered.
   */
  flush(): void {
    if (this.buffer.length === 0) return;
    // Written after close(): reopen rather than lose events.
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'a+');
      open.add(this);
    }
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bytes = 0;
  }

  /**
   * Flushes, then closes the file.
   *
   * @throws Error, Node's file-system error, when the flush or the close fails.
   */
  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    open.delete(this);
  }
}

/** Keeps events in an array: for tests and for in-process inspection. */
export class MemorySink implements AuditSink {
  readonly events: AuditEvent[] = [];
  write(event: AuditEvent): void {
    this.events.push(event);
  }
}
