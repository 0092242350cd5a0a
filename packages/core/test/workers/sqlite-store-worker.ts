// A worker process for the SQLite store's multi-process and crash tests (run with `node --import tsx`).
// Talks to its parent over IPC: `{ type: 'ready' }`, then work, then a report.
import { DatabaseSync } from 'node:sqlite';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SqliteStore } from '../../src/stores/sqlite-store.js';

interface Job {
  mode: 'admit' | 'hold' | 'storm';
  path: string;
  treeId: string;
  runId: string;
  calls?: number;
  inFlight?: number;
  maxCalls?: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const send = (message: Record<string, unknown>) => process.send!(message);
const go = () => new Promise<void>((resolve) => process.once('message', () => resolve()));

if (job.mode === 'admit') {
  // Fire `calls` admits, `inFlight` at a time, at a tool shared by every worker (chain: own run, then the root).
  const store = new SqliteStore({ path: job.path, busyTimeoutMs: 20_000 });
  await store.startRun(
    { treeId: job.treeId, runId: job.runId, startedAt: 0, manifestDigest: 'sha256:test' },
    { mode: 'start', ttlMs: 3_600_000 },
  ); // opens the file: schema races with the others
  send({ type: 'ready' });
  await go();
  let next = 0;
  let admitted = 0;
  const lane = async () => {
    while (next < job.calls!) {
      next++;
      const result = await store.admit({
        treeId: job.treeId,
        chain: [
          { runId: job.runId, maxCalls: 1_000_000 },
          { runId: job.treeId, maxCalls: job.maxCalls! },
        ],
        tool: 'update',
        records: 1,
        tokens: 1,
        count: true,
        approved: false,
        now: 1,
      });
      if (result.admitted) admitted++;
    }
  };
  await Promise.all(Array.from({ length: job.inFlight! }, lane));
  await store.close();
  send({ type: 'done', admitted });
  process.disconnect();
} else if (job.mode === 'hold') {
  // Open a write transaction, write enough that pages spill into the WAL uncommitted, and wait to be killed.
  const db = new DatabaseSync(job.path, { timeout: 5_000 });
  db.exec('PRAGMA cache_size = 8'); // pages: a small cache spills dirty pages to the WAL mid-transaction
  db.exec('BEGIN IMMEDIATE');
  db.prepare('UPDATE runs SET tokens = 999999, halted = 1 WHERE run_id = ?').run(job.runId);
  db.prepare("UPDATE run_calls SET count = 999 WHERE run_id = ? AND tool = 'update'").run(job.runId);
  const insert = db.prepare(
    "INSERT INTO actions (tree_id, run_id, call_id, tool, reversibility, resource) VALUES (?, ?, ?, 'update', 'partial', ?)",
  );
  for (let i = 0; i < 2_000; i++) insert.run(job.treeId, job.runId, `uncommitted-${i}`, 'x'.repeat(1_000));
  send({ type: 'holding' });
  setInterval(() => {}, 1_000);
} else {
  // Admit calls (no limit in reach) as fast as possible, reporting each one after it committed.
  const store = new SqliteStore({ path: job.path });
  send({ type: 'ready' });
  for (let n = 1; ; n++) {
    const result = await store.admit({
      treeId: job.treeId,
      chain: [{ runId: job.runId, maxCalls: 1_000_000_000 }],
      tool: 'update',
      records: 1,
      tokens: 1,
      count: true,
      approved: false,
      now: 1,
    });
    if (!result.admitted) throw new Error('not admitted');
    send({ type: 'committed', n });
    await yieldToLoop(); // let the IPC messages out
  }
}
