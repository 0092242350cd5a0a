import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRunStore } from '../../test/store-conformance.js';
import type { AdmitRequest, StoredApproval } from './run-store.js';
import { MIGRATIONS } from './sqlite-schema.js';
import { SQLITE_SCHEMA_VERSION, SqliteStore } from './sqlite-store.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

const dir = mkdtempSync(join(tmpdir(), 'orbit-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, `${name}-${randomUUID()}.db`);

// One file for the suite: every make() is another connection to it, like another process.
const shared = join(dir, 'conformance.db');
describeRunStore('sqlite', async () => new SqliteStore({ path: shared }));

const CORE = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('../../test/workers/sqlite-store-worker.ts', import.meta.url));

interface Message {
  type: string;
  [key: string]: unknown;
}

/** A worker process (test/workers/sqlite-store-worker.ts) and its IPC messages. */
function worker(job: Record<string, unknown>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    cwd: CORE,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const messages: Message[] = [];
  const listeners = new Set<() => void>();
  child.on('message', (message) => {
    messages.push(message as Message);
    for (const listener of listeners) listener();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const listener of listeners) listener();
    }),
  );
  /** The first message that matches, or a rejection with the worker's stderr when it exits first. */
  const when = (match: (message: Message) => boolean) =>
    new Promise<Message>((resolve, reject) => {
      const check = () => {
        const found = messages.find(match);
        if (found) {
          listeners.delete(check);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(
            new Error(`worker exited (${child.exitCode ?? child.signalCode}) before the message: ${stderr}`),
          );
        }
      };
      listeners.add(check);
      check();
    });
  return { child, exited, messages, when, stderr: () => stderr };
}

/** Reads the file directly, as SQLite sees it. */
function inspect(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const run = (runId: string) =>
      db.prepare('SELECT tokens, records, halted FROM runs WHERE run_id = ?').get(runId) as
        | { tokens: number; records: number; halted: number }
        | undefined;
    const calls = (runId: string) =>
      (db.prepare("SELECT count FROM run_calls WHERE run_id = ? AND tool = 'update'").get(runId)?.count as
        | number
        | undefined) ?? 0;
    return {
      run,
      calls,
      integrity: db.prepare('PRAGMA integrity_check').get()?.integrity_check,
      actions: (runId: string) =>
        Number(db.prepare('SELECT count(*) AS n FROM actions WHERE run_id = ?').get(runId)?.n),
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

const admitRequest = (treeId: string, overrides: Partial<AdmitRequest> = {}): AdmitRequest => ({
  treeId,
  chain: [{ runId: treeId, maxCalls: 5 }],
  tool: 'update',
  records: 0,
  tokens: 0,
  count: true,
  approved: false,
  now: 1,
  ...overrides,
});

describe('sqlite store', () => {
  it('migrates a version-1 file: revocations made before are in the revocation log', async () => {
    const path = file('v1');
    const db = new DatabaseSync(path);
    db.exec(MIGRATIONS[0]!);
    db.exec('PRAGMA user_version = 1');
    db.prepare(
      "INSERT INTO revocations (kind, id, revoked_at) VALUES ('token', 'old-token', 1), ('tree', 'old-tree', 2)",
    ).run();
    db.close();
    const store = new SqliteStore({ path });
    expect(await store.revocationsSince(0)).toMatchObject({ tokenIds: ['old-token'], treeIds: ['old-tree'] });
    await store.close();
  });

  it('migrates a version-3 file: its runs keep their counts and gain per-resource counts', async () => {
    const path = file('v3');
    const db = new DatabaseSync(path);
    for (const migration of MIGRATIONS.slice(0, 3)) db.exec(migration);
    db.exec('PRAGMA user_version = 3');
    db.prepare(
      "INSERT INTO runs (run_id, tree_id, started_at, manifest_digest) VALUES ('t3', 't3', 1, 'sha256:test')",
    ).run();
    db.prepare("INSERT INTO run_calls (run_id, tool, count) VALUES ('t3', 'update', 4)").run();
    db.close();
    const store = new SqliteStore({ path });
    const chain = [{ runId: 't3', maxCalls: 5, maxCallsPerResource: 1 }];
    expect((await store.admit(admitRequest('t3', { chain, resource: 'order:A' }))).admitted).toBe(true);
    expect(await store.admit(admitRequest('t3', { chain, resource: 'order:B' }))).toMatchObject({
      admitted: false,
      callsExceeded: true,
    });
    await store.close();
    const check = new DatabaseSync(path, { readOnly: true });
    expect(check.prepare('PRAGMA user_version').get()?.user_version).toBe(SQLITE_SCHEMA_VERSION);
    expect(check.prepare('SELECT run_id, tool, resource, count FROM run_resource_calls').all()).toEqual([
      { run_id: 't3', tool: 'update', resource: 'order:A', count: 1 },
    ]);
    check.close();
  });

  it('creates its schema in WAL mode, versioned by user_version, and reopens it with the data', async () => {
    const path = file('schema');
    const store = new SqliteStore({ path });
    await store.startRun(
      { treeId: 't', runId: 't', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 60_000 },
    );
    expect((await store.admit(admitRequest('t'))).admitted).toBe(true);
    await store.close();
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    expect(db.prepare('PRAGMA user_version').get()?.user_version).toBe(SQLITE_SCHEMA_VERSION);
    db.close();
    const again = new SqliteStore({ path });
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await again.admit(admitRequest('t'))).admitted);
    expect(results).toEqual([true, true, true, true, false]);
    await again.close();
  });

  it('works on a private in-memory database', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.startRun(
      { treeId: 't', runId: 't', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 60_000 },
    );
    expect((await store.admit(admitRequest('t'))).admitted).toBe(true);
    await store.appendAction('t', 't', { callId: 'c1', tool: 'update', reversibility: 'partial' });
    expect(await store.listActions('t', 't')).toEqual([
      { callId: 'c1', tool: 'update', reversibility: 'partial' },
    ]);
    await store.close();
  });

  it('rejects with StoreUnavailableError when the file cannot be opened, and after close', async () => {
    const missing = new SqliteStore({ path: join(dir, 'no-such-dir', 'orbit.db') });
    await expect(
      missing.startRun(
        { treeId: 't', runId: 't', startedAt: 0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 1000 },
      ),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(missing.admit(admitRequest('t'))).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });

    const store = new SqliteStore({ path: file('closed'), pollIntervalMs: 10 });
    const approval: StoredApproval = {
      treeId: 't',
      request: {
        approval_id: 'a1',
        run_id: 't',
        agent_id: 'x',
        action_hash: 'h',
      } as StoredApproval['request'],
      status: 'pending',
      requestedAt: 0,
      expiresAt: 1,
    };
    await store.putApproval('t', approval);
    const waiting = store.waitForAnswer('t', 'a1', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.close();
    await expect(waiting).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.getApproval('t', 'a1')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses a file written by a newer schema version', async () => {
    const path = file('newer');
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    const store = new SqliteStore({ path });
    await expect(
      store.startRun(
        { treeId: 't', runId: 't', startedAt: 0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 1000 },
      ),
    ).rejects.toThrow(/schema version/);
    await store.close();
  });

  it('refuses invalid options', () => {
    expect(() => new SqliteStore({ path: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
    );
    expect(() => new SqliteStore({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
    expect(() => new SqliteStore({ path: 'x.db', pollIntervalMs: 0 })).toThrow(/pollIntervalMs/);
  });

  it('purges expired runs with their counts and logs, and the approvals of trees left without runs', async () => {
    const store = new SqliteStore({ path: file('purge') });
    await store.startRun(
      { treeId: 'old', runId: 'old', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 1_000 },
    );
    await store.startRun(
      { treeId: 'old', runId: 'old-child', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 1_000 },
    );
    await store.startRun(
      { treeId: 'kept', runId: 'kept', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 10_000 },
    );
    await store.startRun(
      { treeId: 'forever', runId: 'forever', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: Number.POSITIVE_INFINITY },
    );
    await store.startRun(
      { treeId: 'resumed', runId: 'resumed', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 1_000 },
    );
    await store.startRun(
      { treeId: 'resumed', runId: 'resumed', startedAt: 5_000, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 1_000 },
    ); // a resume moves the expiry later, never earlier
    for (const runId of ['old', 'kept', 'forever', 'resumed']) {
      expect(
        (await store.admit(admitRequest(runId, { resourceType: 'invoice', approved: true }))).admitted,
      ).toBe(true);
      await store.appendAction(runId, runId, { callId: 'c', tool: 'update', reversibility: 'partial' });
      await store.putApproval(runId, {
        treeId: runId,
        request: {
          approval_id: `${runId}-a`,
          run_id: runId,
          agent_id: 'x',
          action_hash: 'h',
        } as StoredApproval['request'],
        status: 'pending',
        requestedAt: 0,
        expiresAt: 1,
      });
    }
    expect(await store.purgeExpired(2_000)).toEqual({ runs: 2, approvals: 1 });
    expect(await store.listActions('old', 'old')).toEqual([]);
    expect(await store.getApproval('old', 'old-a')).toBeUndefined();
    expect(await store.admit(admitRequest('old'))).toMatchObject({ admitted: false, halted: true });
    for (const runId of ['kept', 'forever', 'resumed']) {
      expect(await store.listActions(runId, runId)).toHaveLength(1);
      expect(await store.getApproval(runId, `${runId}-a`)).toBeDefined();
    }
    expect(await store.purgeExpired(100_000)).toEqual({ runs: 2, approvals: 2 });
    expect((await store.admit(admitRequest('forever'))).admitted).toBe(true);
    // A restarted run starts from zero, with no resource type seen.
    await store.startRun(
      { treeId: 'kept', runId: 'kept', startedAt: 0, manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 60_000 },
    );
    expect(await store.admit(admitRequest('kept', { resourceType: 'invoice' }))).toMatchObject({
      admitted: false,
      newResourceType: true,
    });
    await store.close();
  });

  describe('across processes', () => {
    it('four processes firing 250 admits each (25 in flight) at a tool limited to 50 admit exactly 50', async () => {
      const path = file('race'); // fresh: the workers also race to create the schema
      const treeId = `tree-${randomUUID()}`;
      const workers = Array.from({ length: 4 }, (_, i) =>
        worker({
          mode: 'admit',
          path,
          treeId,
          runId: `${treeId}-w${i}`,
          calls: 250,
          inFlight: 25,
          maxCalls: 50,
        }),
      );
      await Promise.all(workers.map((w) => w.when((m) => m.type === 'ready')));
      const store = new SqliteStore({ path });
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: 0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 3_600_000 },
      );
      for (const w of workers) w.child.send('go');
      const done = await Promise.all(workers.map((w) => w.when((m) => m.type === 'done')));
      const exits = await Promise.all(workers.map((w) => w.exited));
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);

      expect(done.reduce((sum, m) => sum + Number(m.admitted), 0)).toBe(50);
      const db = inspect(path);
      expect(db.calls(treeId)).toBe(50);
      expect(db.run(treeId)).toMatchObject({ tokens: 1000, records: 50 }); // no lost update
      expect(workers.reduce((sum, _, i) => sum + db.calls(`${treeId}-w${i}`), 0)).toBe(50);
      expect(done.map((m) => Number(m.admitted))).toEqual(workers.map((_, i) => db.calls(`${treeId}-w${i}`)));
      expect(db.integrity).toBe('ok');
      db.close();
      expect(
        await store.admit(admitRequest(treeId, { chain: [{ runId: treeId, maxCalls: 50 }] })),
      ).toMatchObject({
        admitted: false,
        callsExceeded: true,
      });
      await store.close();
    }, 60_000);

    it('a process killed (SIGKILL) inside a write transaction leaves the file whole and unlocked', async () => {
      const path = file('held');
      const treeId = `tree-${randomUUID()}`;
      const store = new SqliteStore({ path, busyTimeoutMs: 300 });
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: 0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      for (let i = 0; i < 3; i++) expect((await store.admit(admitRequest(treeId))).admitted).toBe(true);
      await store.appendAction(treeId, treeId, {
        callId: 'committed',
        tool: 'update',
        reversibility: 'partial',
      });
      const walBefore = statSync(`${path}-wal`).size;

      const holder = worker({ mode: 'hold', path, treeId, runId: treeId });
      await holder.when((m) => m.type === 'holding');
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(walBefore + 1_000_000); // uncommitted pages in the WAL
      // While it holds the write lock: readers go on, writers fail closed after busyTimeoutMs.
      expect((await store.listActions(treeId, treeId)).map((a) => a.callId)).toEqual(['committed']);
      const started = Date.now();
      await expect(store.admit(admitRequest(treeId))).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);

      holder.child.kill('SIGKILL');
      expect((await holder.exited).signal).toBe('SIGKILL');

      const db = inspect(path);
      expect(db.integrity).toBe('ok');
      expect(db.run(treeId)).toMatchObject({ tokens: 0, halted: 0 });
      expect(db.calls(treeId)).toBe(3);
      expect(db.actions(treeId)).toBe(1);
      db.close();
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await store.admit(admitRequest(treeId))).admitted);
      expect(results).toEqual([true, true, false]); // the limit of 5 still holds: 3 + 2
      expect((await store.listActions(treeId, treeId)).map((a) => a.callId)).toEqual(['committed']);
      await store.close();
    }, 60_000);

    it('a process killed (SIGKILL) while committing admits keeps every admit it reported, each whole', async () => {
      const path = file('storm');
      const treeId = `tree-${randomUUID()}`;
      const store = new SqliteStore({ path });
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: 0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      const stormer = worker({ mode: 'storm', path, treeId, runId: treeId });
      const reported = await stormer.when((m) => m.type === 'committed' && Number(m.n) >= 200);
      stormer.child.kill('SIGKILL');
      await stormer.exited;
      const last = Math.max(
        ...stormer.messages.filter((m) => m.type === 'committed').map((m) => Number(m.n)),
      );
      expect(last).toBeGreaterThanOrEqual(Number(reported.n));

      const db = inspect(path);
      expect(db.integrity).toBe('ok');
      const calls = db.calls(treeId);
      expect(calls).toBeGreaterThanOrEqual(last);
      // Calls, tokens and records move together in one transaction: a torn admit would show here.
      expect(db.run(treeId)).toMatchObject({ tokens: calls, records: calls });
      db.close();
      expect((await store.admit(admitRequest(treeId, { chain: [{ runId: treeId }] }))).admitted).toBe(true);
      const after = inspect(path);
      expect(after.calls(treeId)).toBe(calls + 1);
      after.close();
      await store.close();
    }, 60_000);
  });
});
