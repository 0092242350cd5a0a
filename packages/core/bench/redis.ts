/**
 * Benchmark of the Redis store's check-and-count: admits per second through `RedisStore.admit`, sequentially
 * and with 50 in flight, next to a bare `EVALSHA` of the same script with the same arguments on a plain
 * ioredis client (the store's own cost is the difference) and a `PING` (one round trip, for scale).
 *
 * Run: `node --import tsx bench/redis.ts` (Node of the `node` devDependency), with a Redis at
 * ORBIT_REDIS_URL (default redis://127.0.0.1:6379). Keys go under a fresh prefix, deleted at the end.
 * Options (env): BENCH_MS (time per round, default 500), BENCH_ROUNDS (default 7), BENCH_IN_FLIGHT (default 50).
 *
 * The cases run in interleaved rounds (every case once per round, in turn) and each cell is the median
 * round, so a noisy neighbour on the machine hits all cases alike rather than one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MemoryStore } from '../src/exports/stores.js';
import { SqliteStore } from '../src/exports/stores-sqlite.js';
import { createOrbit, loadManifest, type RunStore } from '../src/index.js';
import { ADMIT } from '../src/stores/redis-scripts.js';
import { RedisStore } from '../src/stores/redis-store.js';
import type { AdmitRequest } from '../src/stores/run-store.js';

const URL = process.env.ORBIT_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIME_MS = Number(process.env.BENCH_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP_MS = 300;
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 50);
const prefix = `orbit-bench-${randomUUID()}`;

const store = new RedisStore({ url: URL, prefix });
// The store's settings (no offline queue): connect before the first command.
const bare = new Redis(URL, { ...RedisStore.clientOptions(), lazyConnect: true });
await bare.connect();

/** A chain of `depth` runs (own run first), started, with limits that every admit passes. */
async function requestOf(depth: number): Promise<AdmitRequest> {
  const treeId = `tree-${randomUUID()}`;
  const runs = Array.from({ length: depth }, (_, i) => (i === depth - 1 ? treeId : `${treeId}-${i}`));
  for (const runId of runs)
    await store.startRun(
      { treeId: treeId, runId: runId, startedAt: Date.now(), manifestDigest: 'sha256:test' },
      { mode: 'start', ttlMs: 3_600_000 },
    );
  return {
    treeId,
    chain: runs.map((runId) => ({
      runId,
      maxCalls: 1e12,
      maxTokens: 1e15,
      maxRecords: 1e15,
      timeLimitMs: 3_600_000,
    })),
    tool: 'update_invoice_status',
    records: 1,
    tokens: 25,
    resourceType: 'invoice',
    resourceTypeKnown: true,
    count: true,
    approved: false,
    now: Date.now(),
  };
}

interface Measure {
  ops: number;
  ms: number;
}

/** Runs `op` for `timeMs` with `inFlight` lanes; every op must succeed. */
async function measure(op: () => Promise<unknown>, inFlight: number, timeMs: number): Promise<Measure> {
  let ops = 0;
  const started = performance.now();
  const end = started + timeMs;
  const lane = async () => {
    while (performance.now() < end) {
      await op();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { ops, ms: performance.now() - started };
}

interface Case {
  name: string;
  op: () => Promise<unknown>;
  sequential: Measure[];
  parallel: Measure[];
}

const cases: Case[] = [];
const add = (name: string, op: () => Promise<unknown>) =>
  cases.push({ name, op, sequential: [], parallel: [] });
add('PING (one round trip)', () => bare.ping());
for (const depth of [1, 3]) {
  const request = await requestOf(depth);
  const { keys, args } = store.admitArguments(request);
  const label = depth === 1 ? 'one run' : `chain of ${depth} runs`;
  add(`bare EVALSHA admit script, ${label}`, () => bare.evalsha(ADMIT.sha, keys.length, ...keys, ...args));
  add(`RedisStore.admit, ${label}`, async () => {
    const result = await store.admit(request);
    if (!result.admitted) throw new Error(`not admitted: ${JSON.stringify(result)}`);
  });
}

// Whole guarded calls (run.guardAsync: the gate here, one check-and-count in the store) through each store.
const manifest = await loadManifest({
  manifest: {
    agent_id: 'bench-agent',
    owner_team: '#bench',
    deployed_at: '2026-05-01T09:00:00Z',
    task_scope: 'Benchmark the stores',
    maturity_level: 3,
    allowed_tools: [
      {
        name: 'update_invoice_status',
        max_calls_per_run: 1e12,
        reversibility: 'partial',
        confidence_threshold: 0.88,
      },
    ],
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 1e15,
      max_records_touched_per_run: 1e15,
    },
  },
  allowUnsigned: true,
  logger: { warn() {} },
});
const sqlitePath = join(mkdtempSync(join(tmpdir(), 'orbit-bench-')), 'state.db');
const stores: [string, RunStore][] = [
  ['MemoryStore', new MemoryStore()],
  ['SqliteStore', new SqliteStore({ path: sqlitePath })],
  ['RedisStore', new RedisStore({ url: URL, prefix })],
];
const guardArgs = { invoice_id: 'INV-1' };
for (const [label, runStore] of stores) {
  const run = createOrbit({ manifest, store: runStore }).startRun();
  add(`run.guardAsync through ${label}`, async () => {
    const decision = await run.guardAsync({
      tool: 'update_invoice_status',
      args: guardArgs,
      confidence: 0.95,
      records: 1,
    });
    if (decision.decision !== 'proceed') throw new Error(`not proceed: ${decision.reasons.join(', ')}`);
  });
}
for (const c of cases) await measure(c.op, IN_FLIGHT, WARMUP_MS);
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) c.sequential.push(await measure(c.op, 1, TIME_MS));
  for (const c of cases) c.parallel.push(await measure(c.op, IN_FLIGHT, TIME_MS));
}
/** The median round by throughput. */
const median = (ms: Measure[]) =>
  [...ms].sort((a, b) => a.ops / a.ms - b.ops / b.ms)[Math.floor(ms.length / 2)]!;
const rows = cases.map((c) => ({
  name: c.name,
  sequential: median(c.sequential),
  parallel: median(c.parallel),
}));

const perSecond = (m: Measure) => Math.round((m.ops / m.ms) * 1000).toLocaleString('en-US');
const micros = (m: Measure, lanes: number) => ((m.ms * 1000 * lanes) / m.ops).toFixed(1);
const header = ['case', 'sequential ops/s', 'µs/op', `${IN_FLIGHT} in flight ops/s`, 'µs/op (per call)'];
const table = rows.map((r) => [
  r.name,
  perSecond(r.sequential),
  micros(r.sequential, 1),
  perSecond(r.parallel),
  micros(r.parallel, IN_FLIGHT),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) =>
  `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
const info = await bare.info('server');
const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
console.log(
  `\nRedis ${version} at ${URL}, Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ` +
    `median of ${ROUNDS} interleaved rounds of ${TIME_MS} ms, load average ${loadavg()[0]?.toFixed(2)}\n`,
);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of table) console.log(line(row));

// Clean up.
let cursor = '0';
do {
  const [next, keys] = await bare.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length > 0) await bare.unlink(...keys);
} while (cursor !== '0');
await store.close();
for (const [, runStore] of stores) await runStore.close();
await bare.quit();
