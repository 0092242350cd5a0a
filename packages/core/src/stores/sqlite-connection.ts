import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { OrbitError } from '../errors.js';
import { MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/** A statement by its SQL text, prepared once per connection. */
export type Sql = (text: string) => StatementSync;

/** An open database file and the statements prepared on it. */
interface Open {
  db: DatabaseSync;
  statements: Map<string, StatementSync>;
}

/**
 * The longest SQLite's own busy handler may sleep in one attempt. node:sqlite is synchronous, so that
 * sleep blocks the event loop; past it the store waits with timers (and the loop runs) until
 * `busyTimeoutMs`.
 */
const LOCK_SLICE_MS = 50;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CONSTRAINT = 19;

/**
 * The SQLite store's connection to its file: opened (and the file prepared) on first use, reopened after
 * the file failed, closed by `close()`. Runs each operation with the busy-retry and error mapping of
 * `SqliteStore` (see there), and gives the timers that `close()` cuts short.
 */
export class SqliteConnection {
  readonly path: string;
  private readonly busyTimeoutMs: number;
  private connection?: Open;
  private opening?: Promise<Open>;
  private closed = false;
  private readonly sleepers = new Set<() => void>();

  constructor(path: string, busyTimeoutMs: number) {
    this.path = path;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  /** Closes the file and cuts the timers short: later calls reject with `StoreUnavailableError`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleepers) wake();
    await this.opening?.catch(() => undefined);
    this.drop();
  }

  /**
   * Runs `op` on the connection: in one `BEGIN IMMEDIATE` transaction when `transaction` (single
   * statements are atomic on their own). A busy file is tried again until `busyTimeoutMs`; the
   * operation is synchronous, so no other call of this process runs in between its reads and writes.
   */
  async execute<T>(op: (sql: Sql) => T, transaction = false): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const { db, statements } = await this.connect();
      const sql = (text: string) => {
        let statement = statements.get(text);
        if (!statement) {
          statement = db.prepare(text);
          statements.set(text, statement);
        }
        return statement;
      };
      try {
        return transaction ? inTransaction(db, () => op(sql)) : op(sql);
      } catch (error) {
        if (isBusy(error) && Date.now() < deadline) {
          await this.pause(attempt, deadline);
          continue;
        }
        throw this.fail(error);
      }
    }
  }

  private async connect(): Promise<Open> {
    if (this.closed) throw new StoreUnavailableError('sqlite', new Error('the store is closed'));
    if (this.connection) return this.connection;
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<Open> {
    // Loaded on first use: importing ORBIT must not need node:sqlite (or print Node's experimental warning).
    const sqlite = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite') | undefined;
    if (!sqlite) {
      throw new StoreUnavailableError(
        'sqlite',
        new Error(`node:sqlite is not available in Node ${process.version} (needs ≥ 22.13)`),
      );
    }
    let db: DatabaseSync;
    try {
      db = new sqlite.DatabaseSync(this.path, { timeout: Math.min(this.busyTimeoutMs, LOCK_SLICE_MS) });
    } catch (error) {
      throw new StoreUnavailableError('sqlite', error);
    }
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        prepareFile(db, this.path);
        break;
      } catch (error) {
        if (isBusy(error) && Date.now() < deadline && !this.closed) {
          await this.pause(attempt, deadline);
          continue;
        }
        db.close();
        throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError('sqlite', error);
      }
    }
    if (this.closed) {
      db.close();
      throw new StoreUnavailableError('sqlite', new Error('the store is closed'));
    }
    this.connection = { db, statements: new Map() };
    return this.connection;
  }

  /** Maps an error to what the caller sees; drops the connection when the file itself failed. */
  private fail(error: unknown): unknown {
    if (error instanceof OrbitError) return error;
    const code = sqliteCode(error);
    if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
      return new StoreUnavailableError(
        'sqlite',
        new Error(`${this.path} stayed locked by another connection for ${this.busyTimeoutMs} ms`, {
          cause: error,
        }),
      );
    }
    if (code === SQLITE_CONSTRAINT) return error;
    if (code !== undefined || (error as { code?: unknown })?.code === 'ERR_INVALID_STATE') {
      this.drop(); // the next call opens the file again
      return new StoreUnavailableError('sqlite', error);
    }
    return error;
  }

  private drop(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.statements.clear();
    try {
      connection.db.close();
    } catch {
      // already closed
    }
  }

  /** Waits before trying a busy file again: 1 ms doubling to 16 ms, with jitter, never past the deadline. */
  private pause(attempt: number, deadline: number): Promise<void> {
    const base = Math.min(16, 2 ** attempt);
    return this.sleep(Math.max(0, Math.min(deadline - Date.now(), base / 2 + Math.random() * base)));
  }

  /** A timer that `close()` cuts short. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** Pragmas and schema, once per connection. The version check skips the write lock when up to date. */
function prepareFile(db: DatabaseSync, path: string): void {
  const mode = String(db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode);
  // WAL + NORMAL: no fsync per commit, still atomic and crash-safe; without WAL only FULL is.
  db.exec(`PRAGMA synchronous = ${mode === 'wal' || mode === 'memory' ? 'NORMAL' : 'FULL'}`);
  const version = () => Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  if (version() === SQLITE_SCHEMA_VERSION) return;
  inTransaction(db, () => {
    const from = version(); // again, under the write lock: another process may have migrated meanwhile
    if (from > SQLITE_SCHEMA_VERSION) {
      throw new StoreUnavailableError(
        'sqlite',
        new Error(
          `${path} has schema version ${from}; this version of ORBIT knows up to ${SQLITE_SCHEMA_VERSION}`,
        ),
      );
    }
    for (let v = from; v < SQLITE_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION}`);
  });
}

function inTransaction<T>(db: DatabaseSync, op: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = op();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // the connection is gone; SQLite rolls back on close
      }
    }
    throw error;
  }
}

/** The primary SQLite result code of a node:sqlite error (`errcode` is the extended code). */
function sqliteCode(error: unknown): number | undefined {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  return code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number' ? errcode & 0xff : undefined;
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === SQLITE_BUSY || code === SQLITE_LOCKED;
}
