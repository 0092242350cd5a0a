import type { KeyObject } from 'node:crypto';
import { createHash, hash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ed25519PrivateKey } from '../ed25519-key.js';
import { OptionsInvalidError } from '../errors.js';
import { type AuditAnchorOptions, defaultAnchorPath } from './audit-anchor.js';
import type { AuditEvent, AuditSink } from './audit-event.js';
import { serializeEvent } from './serialize-event.js';
import { signAuditAnchor } from './sign-audit-anchor.js';

export interface JsonlFileSinkOptions {
  /** Flush once this many characters are buffered. Default 64 Ki. */
  bufferBytes?: number;
  /**
   * Tamper evidence (default on): every line carries `seq`, and the last line of each block the sink
   * writes (one `flush()`) carries a `seal`: the SHA-256 of the block's other lines and the hash of the
   * line before the block. `verifyAuditFile` finds an edited, deleted, reordered or appended line. One
   * writer per file.
   */
  chain?: boolean;
  /**
   * Signed checkpoints of the chain's head (needs `chain`): at every `flush()` that wrote lines (so at
   * `run.end()`, at `close()` and at process exit), once the lines are on disk, a compact JWS of
   * `{ file, lines, head, at }` is appended to the anchor file. `verifyAuditFile(path, { anchor })`
   * then finds a truncated or re-chained tail. Off by default.
   */
  anchor?: AuditAnchorOptions;
}

/** The resolved `anchor` option. */
interface Anchoring {
  readonly key: KeyObject;
  readonly kid: string | undefined;
  readonly path: string;
  readonly file: string;
}

/** The `prev_hash` of the first line of a chained audit file. */
export const GENESIS_HASH = `sha256:${createHash('sha256').update('orbit-audit-genesis').digest('hex')}`;

/** The hash of one line (without its newline): a seal's `prev_hash`, an anchor's `head`. */
export function lineHash(line: string): string {
  return `sha256:${hash('sha256', line, 'hex')}`;
}

/** The hash of a block's lines before its sealed line, each with its newline: the seal's `hash`. */
export function blockHash(lines: string): string {
  return `sha256:${hash('sha256', lines, 'hex')}`;
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
  private readonly anchoring: Anchoring | undefined;
  /** The `seq` the newest anchor covers (the file's lines at opening count as covered: not re-signed). */
  private anchoredSeq = 0;

  /**
   * Opens (creating it and its directory when absent) the file to append to, and continues its chain.
   *
   * @throws Error, Node's file-system error as it is (`EACCES`, `ENOTDIR`, `EISDIR`, ...), when the
   * directory cannot be created or the file cannot be opened or read.
   * @throws OptionsInvalidError when `anchor` is set with `chain: false`, or its `key` is not an Ed25519
   * private key (or is a non-extractable `CryptoKey`), or its `kid` or `path` is not a non-empty string
   * (or `path` is the audit file's).
   */
  constructor(path: string, options: JsonlFileSinkOptions = {}) {
    this.path = path;
    this.limit = options.bufferBytes ?? 64 * 1024;
    this.chain = options.chain !== false;
    this.anchoring = options.anchor === undefined ? undefined : anchoringOf(path, options.anchor, this.chain);
    mkdirSync(dirname(path), { recursive: true });
    if (this.anchoring) mkdirSync(dirname(this.anchoring.path), { recursive: true });
    this.fd = openSync(path, 'a+');
    if (this.chain) this.resumeChain(this.fd);
    this.anchoredSeq = this.seq;
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
   * Buffers one event as a line (led by `seq` when chained); flushes when the buffer is full.
   *
   * A field JSON cannot encode (a tool's output with a BigInt or a cycle, a getter that throws) is
   * written as the marker `"[unserializable: <why>]"` and named in the line's `unserializable` list:
   * the event is always written.
   *
   * @throws Error, Node's file-system error, when the buffer is full and the flush fails (see `flush`).
   */
  write(event: AuditEvent): void {
    let line = serializeEvent(event);
    // `seq` leads the line; the event's own fields follow unchanged. The block's hash is taken at flush.
    if (this.chain) line = `{"seq":${++this.seq}${line.length > 2 ? ',' : ''}${line.slice(1)}`;
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
   * Writes the buffered lines to the file (reopening it after `close()`), then, with `anchor`, syncs
   * the file to disk and appends an anchor covering every line written.
   *
   * @throws Error, Node's file-system error (`ENOSPC`, `EACCES`, ...), when the file cannot be reopened
   * or written (the lines stay buffered), or the anchor cannot be written (the next flush retries it).
   */
  flush(): void {
    if (this.buffer.length > 0) {
      if (this.chain) this.writeSealed();
      else writeSync(this.file(), this.buffer.join(''));
      this.buffer = [];
      this.bytes = 0;
    }
    if (this.anchoring !== undefined && this.seq > this.anchoredSeq) this.writeAnchor(this.anchoring);
  }

  /**
   * Writes the buffered block with a `seal` on its last line: the seq of its first line, the hash of the
   * line before it, and the hash of its other lines. The chain moves on only once the block is written.
   */
  private writeSealed(): void {
    const count = this.buffer.length;
    const last = this.buffer[count - 1] as string;
    const from = this.seq - count + 1;
    const before = count === 1 ? '' : this.buffer.slice(0, -1).join('');
    const lead = `{"seq":${this.seq}`;
    const seal = `"seal":{"from":${from},"prev_hash":"${this.prevHash}","hash":"${blockHash(before)}"}`;
    const rest = last.slice(lead.length, -1);
    const sealed = `${lead},${seal}${rest === '}' ? '' : ','}${rest.slice(rest.startsWith(',') ? 1 : 0)}`;
    writeSync(this.file(), `${before}${sealed}\n`);
    this.prevHash = lineHash(sealed);
  }

  /** The open file; written after close(): reopened rather than lose events. */
  private file(): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'a+');
      open.add(this);
    }
    return this.fd;
  }

  /** Appends an anchor of the chain's head, once the lines it covers are on disk (not only in the page cache). */
  private writeAnchor(anchoring: Anchoring): void {
    fdatasyncSync(this.file());
    const anchor = {
      file: anchoring.file,
      lines: this.seq,
      head: this.prevHash,
      at: new Date().toISOString(),
    };
    appendFileSync(anchoring.path, `${signAuditAnchor(anchor, anchoring.key, anchoring.kid)}\n`);
    this.anchoredSeq = this.seq;
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

/** Checks and resolves the `anchor` option. */
function anchoringOf(path: string, options: AuditAnchorOptions, chain: boolean): Anchoring {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsInvalidError(
      `anchor must be an object { key, kid?, path? }, got ${options === null ? 'null' : typeof options}.`,
    );
  }
  if (!chain) {
    throw new OptionsInvalidError('anchor needs the hash chain: remove chain: false, or the anchor option.');
  }
  for (const name of ['kid', 'path'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new OptionsInvalidError(
        `anchor.${name} must be a non-empty string, got ${JSON.stringify(value) ?? typeof value}.`,
      );
    }
  }
  const anchorPath = options.path ?? defaultAnchorPath(path);
  if (resolve(anchorPath) === resolve(path)) {
    throw new OptionsInvalidError(`anchor.path must not be the audit file itself (${path}).`);
  }
  return {
    key: ed25519PrivateKey(options.key, 'anchor.key'),
    kid: options.kid,
    path: anchorPath,
    file: basename(path),
  };
}

/** Keeps events in an array: for tests and for in-process inspection. */
export class MemorySink implements AuditSink {
  readonly events: AuditEvent[] = [];
  write(event: AuditEvent): void {
    this.events.push(event);
  }
}
