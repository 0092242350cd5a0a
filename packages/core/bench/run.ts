/**
 * Micro-benchmark of the ORBIT policy core: the pure decision, a guarded call, and a full `run.execute`,
 * each with the audit sink off and on, next to two baselines for scale.
 *
 * Run: `pnpm --filter @orbit-agents/core bench` (tsx, on the Node of the `node` devDependency).
 *
 * Two passes:
 * - batched: each sample times BATCH consecutive operations and records their mean, so sub-µs operations
 *   are not swamped by the cost of reading the clock. Median and p99 are over those batch means.
 * - per call: each sample times one operation (hrtime, timer overhead subtracted). Its p99 is the tail a
 *   single call sees (GC pauses, the JSONL sink's 64 KiB flushes), which batching averages away.
 */
import { createHash } from 'node:crypto';
import { rmSync, truncateSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { Bench, type Task } from 'tinybench';
import { z } from 'zod';
import { decide, type GateRequest, MemoryLedger } from '../src/exports/gate.js';
import {
  type AuditSink,
  createOrbit,
  defineTool,
  JsonlFileSink,
  loadManifest,
  type Orbit,
  type Run,
} from '../src/index.js';

/** Operations timed together in one sample of the batched pass. */
const BATCH = 200;
/**
 * A run is replaced (outside the timed window) after this many calls. A run keeps a record of every call it
 * guarded, so very long runs get slower per call; 1,000 calls is a long agent run. One case measures
 * 100,000-call runs to show the effect.
 */
const CALLS_PER_RUN = 1_000;
const LONG_RUN = 100_000;
/** Time budget per task and pass, in ms. */
const TIME_MS = 1_000;
const WARMUP_MS = 300;

const MANIFEST = `
agent_id: "bench-agent"
owner_team: "#bench"
deployed_at: "2026-05-01T09:00:00Z"
task_scope: "Benchmark the ORBIT policy core"
maturity_level: 3
allowed_tools:
  - name: "search_crm_accounts"
    max_calls_per_run: 1000000000
    reversibility: "read_only"
  - name: "update_invoice_status"
    max_calls_per_run: 1000000000
    reversibility: "partial"
    confidence_threshold: 0.88
    resources: ["invoice:*"]
  - name: "flag_for_human_review"
    max_calls_per_run: 1000000000
    escalation: true
explicitly_blocked_tools:
  - "merge_crm_accounts"
  - "delete_invoice"
interruption_policy:
  confidence_floor: 0.72
  max_tokens_per_run: 1000000000000
  max_records_touched_per_run: 1000000000000
  time_limit_minutes: 1000000
known_resource_types: ["invoice"]
`;

const loaded = await loadManifest({ manifest: MANIFEST, allowUnsigned: true, logger: { warn() {} } });

const updateInvoice = defineTool({
  name: 'update_invoice_status',
  input: z.object({ invoice_id: z.string(), status: z.enum(['paid', 'open']) }),
  resource: (input) => `invoice:${input.invoice_id}`,
  records: () => 1,
  execute: (input) => ({ invoice_id: input.invoice_id, updated: true }),
});

const ARGS = { invoice_id: 'INV-1001', status: 'paid' as const };
const RAW_ARGS = { ...ARGS, confidence: 0.95 };

/** Keeps results observable so the JIT cannot drop the work. */
let blackhole = 0;

/** One Orbit and its current run; the run is replaced every `perRun` calls, outside the timing. */
class RunPool {
  readonly orbit: Orbit;
  run: Run;
  private calls = 0;

  constructor(
    private readonly sink: (AuditSink & { path?: string }) | undefined,
    private readonly perRun = CALLS_PER_RUN,
    tracer?: Tracer,
  ) {
    this.orbit = createOrbit({ manifest: loaded, sink, telemetry: { tracer } });
    this.run = this.orbit.startRun();
  }

  get sinkPath(): string | undefined {
    return this.sink?.path;
  }

  /** Makes room for `next` more calls in the current run. */
  reserve(next: number): void {
    if (this.calls + next <= this.perRun) {
      this.calls += next;
      return;
    }
    void this.run.end();
    // Keep the audit file small: the append-mode fd keeps writing at the (new) end.
    if (this.sink?.path) truncateSync(this.sink.path, 0);
    this.run = this.orbit.startRun();
    this.calls = next;
  }
}

const sinkPath = join(tmpdir(), `orbit-bench-${process.pid}.jsonl`);
const jsonlSink = new JsonlFileSink(sinkPath);
const plain = new RunPool(undefined);
const logged = new RunPool(jsonlSink);
const plainExec = new RunPool(undefined);
const loggedExec = new RunPool(jsonlSink);
const long = new RunPool(undefined, LONG_RUN);
const plainSinkPath = join(tmpdir(), `orbit-bench-plain-${process.pid}.jsonl`);
const unchained = new RunPool(new JsonlFileSink(plainSinkPath, { chain: false }));
// The OpenTelemetry SDK as an application sets it up: a batch processor (its exporter drops the spans here).
const dropExporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: dropExporter })] });
const sdkTracer = provider.getTracer('bench');
const traced = new RunPool(undefined, CALLS_PER_RUN, sdkTracer);
const tracedAndLogged = new RunPool(
  new JsonlFileSink(join(tmpdir(), `orbit-bench-traced-${process.pid}.jsonl`)),
  CALLS_PER_RUN,
  sdkTracer,
);
const tracedExec = new RunPool(
  new JsonlFileSink(join(tmpdir(), `orbit-bench-traced-exec-${process.pid}.jsonl`)),
  CALLS_PER_RUN,
  sdkTracer,
);

const policy = plain.orbit.policy;
const state = new MemoryLedger(Date.now);
const proceedRequest: GateRequest = {
  tool: 'update_invoice_status',
  confidence: 0.95,
  records: 1,
  resource: 'invoice:INV-1001',
  approved: false,
};
const haltRequest: GateRequest = {
  tool: 'delete_invoice',
  confidence: 0.95,
  records: 1,
  resource: undefined,
  approved: false,
};

// Sanity checks: each case measures the path it claims to.
check(
  decide(policy, proceedRequest, state).decision === 'proceed',
  'decide(partial, L3, above threshold) proceeds',
);
check(decide(policy, haltRequest, state).decision === 'halt', 'decide(blocked tool) halts');
check(plain.run.guard(guardRequest()).decision === 'proceed', 'guard proceeds');
check((await plainExec.run.execute(updateInvoice, RAW_ARGS)).status === 'executed', 'execute runs the tool');

function guardRequest() {
  return {
    tool: 'update_invoice_status',
    args: ARGS,
    confidence: 0.95,
    records: 1,
    resource: 'invoice:INV-1001',
  };
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench setup: expected ${what}`);
}

interface Case {
  name: string;
  /** One operation; `pool` (if any) has room for it. */
  op: () => unknown;
  async?: boolean;
  pool?: RunPool;
}

const cases: Case[] = [
  { name: 'baseline: await Promise.resolve()', op: () => Promise.resolve(), async: true },
  {
    name: 'baseline: sha256 of a short string',
    op: () => createHash('sha256').update('invoice:INV-1001').digest('hex'),
  },
  { name: 'decide: partial tool, L3, above threshold', op: () => decide(policy, proceedRequest, state) },
  { name: 'decide: blocked tool (halt)', op: () => decide(policy, haltRequest, state) },
  { name: 'run.guard, no sink', op: () => plain.run.guard(guardRequest()), pool: plain },
  {
    name: `run.guard, no sink, ${LONG_RUN.toLocaleString('en-US')}-call runs`,
    op: () => long.run.guard(guardRequest()),
    pool: long,
  },
  { name: 'run.guard, JSONL sink (hash-chained)', op: () => logged.run.guard(guardRequest()), pool: logged },
  { name: 'run.guard, JSONL sink, no chain', op: () => unchained.run.guard(guardRequest()), pool: unchained },
  { name: 'run.guard, OTel SDK (batch), no sink', op: () => traced.run.guard(guardRequest()), pool: traced },
  {
    name: 'run.guard, OTel SDK + chained JSONL',
    op: () => tracedAndLogged.run.guard(guardRequest()),
    pool: tracedAndLogged,
  },
  {
    name: 'run.execute, no sink',
    op: () => plainExec.run.execute(updateInvoice, RAW_ARGS),
    async: true,
    pool: plainExec,
  },
  {
    name: 'run.execute, JSONL sink (hash-chained)',
    op: () => loggedExec.run.execute(updateInvoice, RAW_ARGS),
    async: true,
    pool: loggedExec,
  },
  {
    name: 'run.execute, OTel SDK + chained JSONL',
    op: () => tracedExec.run.execute(updateInvoice, RAW_ARGS),
    async: true,
    pool: tracedExec,
  },
];

const nowNs = () => process.hrtime.bigint();

/** A task function timing BATCH operations and reporting their mean as the sample. */
function batched(c: Case): () => unknown {
  const { op } = c;
  if (c.async) {
    return async () => {
      const start = nowNs();
      for (let i = 0; i < BATCH; i++) blackhole ^= (await op()) === undefined ? 1 : 0;
      const ms = Number(nowNs() - start) / 1e6;
      return { overriddenDuration: ms / BATCH, overriddenIterationCost: ms };
    };
  }
  return () => {
    const start = nowNs();
    for (let i = 0; i < BATCH; i++) blackhole ^= op() === undefined ? 1 : 0;
    const ms = Number(nowNs() - start) / 1e6;
    return { overriddenDuration: ms / BATCH, overriddenIterationCost: ms };
  };
}

function newBench(perCall: boolean): Bench {
  return new Bench({
    time: TIME_MS,
    warmupTime: WARMUP_MS,
    timestampProvider: 'hrtimeNow',
    subtractTimerOverhead: perCall,
    throws: true,
  });
}

const batchedBench = newBench(false);
const perCallBench = newBench(true);
for (const c of cases) {
  const pool = c.pool;
  batchedBench.add(c.name, batched(c), {
    async: c.async === true,
    beforeEach: pool ? () => pool.reserve(BATCH) : undefined,
  });
  const fn = c.async
    ? async () => {
        blackhole ^= (await c.op()) === undefined ? 1 : 0;
      }
    : () => {
        blackhole ^= c.op() === undefined ? 1 : 0;
      };
  perCallBench.add(c.name, fn, {
    async: c.async === true,
    beforeEach: pool ? () => pool.reserve(1) : undefined,
  });
}

const started = performance.now();
try {
  console.log(`ORBIT core benchmark: Node ${process.version} (${process.execPath})`);
  console.log(
    `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
  );
  console.log(
    `Batched pass: ${BATCH} ops per sample, ${TIME_MS} ms per task after ${WARMUP_MS} ms warmup.\n`,
  );
  await batchedBench.run();
  printTable(`Batched (median and p99 of the mean of ${BATCH} ops)`, batchedBench.tasks, false);
  await perCallBench.run();
  printTable('Per call (one op per sample, timer overhead subtracted)', perCallBench.tasks, true);
} finally {
  jsonlSink.close();
  for (const path of [
    sinkPath,
    plainSinkPath,
    ...[tracedAndLogged, tracedExec].map((pool) => pool.sinkPath),
  ]) {
    if (path) rmSync(path, { force: true });
  }
}
console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s (blackhole ${blackhole & 1}).`);

/**
 * Batched: ops/s is 1e9 / mean ns per op. Per call: the third column is p99.9 instead (the per-call ops/s
 * would leave out the harness and clock-reading time between calls, so it is not shown).
 */
function printTable(title: string, tasks: Task[], perCall: boolean): void {
  const rows = tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const { latency, period } = result;
    const third = perCall ? ns(latency.p999) : ops(1000 / period);
    return [task.name, ns(latency.p50), ns(latency.p99), third, latency.samplesCount.toLocaleString('en-US')];
  });
  const header = ['task', 'median ns/op', 'p99 ns/op', perCall ? 'p99.9 ns/op' : 'ops/s', 'samples'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
  console.log('');
}

function ns(ms: number): string {
  return Math.round(ms * 1e6).toLocaleString('en-US');
}

function ops(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US');
}
