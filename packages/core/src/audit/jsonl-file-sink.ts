import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEvent, AuditSink } from './audit-event.js';

export interface JsonlFileSinkOptions {
  /** Flush once this many characters are buffered. Default 64 Ki. */
  bufferBytes?: number;
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

  constructor(path: string, options: JsonlFileSinkOptions = {}) {
    this.path = path;
    this.limit = options.bufferBytes ?? 64 * 1024;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => {
        for (const sink of open) sink.close();
      });
      // A signal does not emit 'exit': flush, then let the signal do what it would have done.
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
        process.once(signal, () => {
          for (const sink of open) sink.close();
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
      }
    }
  }

  write(event: AuditEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    this.buffer.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.limit) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bytes = 0;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
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
