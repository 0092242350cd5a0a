// One memory scenario of the scale part, in a process of its own (`node --expose-gc --import tsx`, started
// by memory.ts): guarded calls in many short runs or in one long run, heap and RSS sampled as they go,
// the result as one JSON line on stdout. The spec is the first argument, as JSON.
import { devNull } from 'node:os';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  type AuditSink,
  createOrbit,
  JsonlFileSink,
  loadManifest,
  type Run,
  signManifest,
} from '@orbit-agents/core';
import { BENCH_LIMITS, signedBenchManifest } from '../../lib/manifest.js';
import type { MemoryPoint, MemoryResult, MemorySpec, MemoryUse } from './memory.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as MemorySpec;
const gc = (globalThis as { gc?: () => void }).gc;
const TOOL = 'update_invoice_status';

// The tool of packages/core/bench/memory.ts: `partial` without an undo, so every executed call is also a
// candidate for the rollback list (bounded at `maxTrackedCalls`). Limits no million calls reach.
const manifest = await signedBenchManifest(
  {
    agent_id: 'scale-memory',
    manifest_version: 1,
    owner_team: '#team-bench',
    deployed_at: '2026-12-01T09:00:00Z',
    task_scope: 'Measure memory over a million guarded calls',
    maturity_level: 3,
    allowed_tools: [
      { name: TOOL, max_calls_per_run: 1e9, reversibility: 'partial', confidence_threshold: 0.88 },
    ],
    explicitly_blocked_tools: BENCH_LIMITS.explicitly_blocked_tools,
    interruption_policy: {
      ...BENCH_LIMITS.interruption_policy,
      max_tokens_per_run: 1e12,
      max_records_touched_per_run: 1e12,
    },
  },
  { signManifest, loadManifest },
);

// `instrumented`: the OpenTelemetry SDK (a batch processor whose exporter drops the spans) and the
// hash-chained JSONL sink, written to the null device so that a million calls fill no disk (every line is
// still serialised, hashed and written). `bare`: neither.
let provider: TracerProvider | undefined;
let sink: AuditSink | undefined;
if (spec.config === 'instrumented') {
  const dropExporter: SpanExporter = {
    export: (_spans, done) => done({ code: 0 }),
    shutdown: async () => {},
  };
  provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: dropExporter })] });
  sink = new JsonlFileSink(devNull);
}
const orbit = createOrbit({
  manifest,
  ...(sink ? { sink } : {}),
  ...(provider ? { telemetry: { tracer: provider.getTracer('scale-memory') } } : {}),
});

const args = { invoice_id: 'INV-1001', status: 'paid' };
const call = (run: Run) => {
  const decision = run.guard({ tool: TOOL, args, confidence: 0.95, records: 1 });
  run.recordOutcome(decision.call_id, { status: 'executed', output: true });
};
const use = (): MemoryUse => {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
};
/** Lets the batch processor export and the sink flush, then collects, three times. */
const settle = async (): Promise<MemoryUse> => {
  await provider?.forceFlush();
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return use();
};
const points: MemoryPoint[] = [];
/** A sample: heap and RSS as they are, then the heap after one full collection. */
const point = (calls: number) => {
  const { heapUsed, rss } = use();
  gc?.();
  points.push({ calls, heapUsed, rss, heapAfterGc: process.memoryUsage().heapUsed });
};
const yieldEvery = async (done: number) => {
  // Let the batch processor export (it runs on timers).
  if (done % 10_000 === 0) await new Promise((resolve) => setImmediate(resolve));
};

// Warm up (JIT, buffers, the span processor's queue) in a run of its own, ended before the baseline.
const warm = orbit.startRun();
for (let i = 0; i < spec.warmup; i++) call(warm);
await warm.end();
const baseline = await settle();
points.push({ calls: 0, ...baseline, heapAfterGc: baseline.heapUsed });
/** Many runs of `callsPerRun` calls, each ended; a sample every `every` calls (at a run's end). */
async function manyRuns(): Promise<{ seconds: number }> {
  const started = performance.now();
  let done = 0;
  while (done < spec.calls) {
    const run = orbit.startRun();
    for (let i = 0; i < spec.callsPerRun; i++) {
      call(run);
      await yieldEvery(++done);
    }
    await run.end();
    if (done % spec.every === 0) point(done);
  }
  return { seconds: (performance.now() - started) / 1000 };
}

/** One run of all the calls; a sample every `every` calls; the memory it holds while open, then it ends. */
async function oneRun(): Promise<{ seconds: number; open: MemoryUse }> {
  const started = performance.now();
  const run = orbit.startRun();
  for (let done = 1; done <= spec.calls; done++) {
    call(run);
    await yieldEvery(done);
    if (done % spec.every === 0) point(done);
  }
  const seconds = (performance.now() - started) / 1000;
  const open = await settle();
  await run.end();
  return { seconds, open };
}

// The run is out of reach once its function returns: what stays after `settle` is what the orbit keeps.
const measured = spec.scenario === 'runs' ? await manyRuns() : await oneRun();
const result: MemoryResult = {
  spec,
  gc: gc !== undefined,
  ...measured,
  baseline,
  points,
  final: await settle(),
  peakRss: process.resourceUsage().maxRSS * 1024,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
