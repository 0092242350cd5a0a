/**
 * Memory: 1,000,000 guarded calls in one process (one run, the OpenTelemetry SDK with a batch
 * processor and the hash-chained JSONL sink on), and how much the heap and RSS grow.
 * Target: under 50 MB. Run: `pnpm --filter @orbit-agents/core bench` (after the timing benchmarks).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { createOrbit, JsonlFileSink, loadManifest } from '../src/index.js';

const CALLS = 1_000_000;
const manifest = await loadManifest({
  manifest: {
    agent_id: 'memory-bench',
    owner_team: '#bench',
    deployed_at: '2026-05-01T09:00:00Z',
    task_scope: 'Measure memory',
    maturity_level: 3,
    allowed_tools: [
      {
        name: 'update_invoice_status',
        max_calls_per_run: 1e9,
        reversibility: 'partial',
        confidence_threshold: 0.88,
      },
    ],
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 1e12,
      max_records_touched_per_run: 1e12,
    },
  },
  allowUnsigned: true,
  logger: { warn() {} },
});
const path = join(tmpdir(), `orbit-memory-${process.pid}.jsonl`);
const sink = new JsonlFileSink(path);
const dropExporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: dropExporter })] });
const orbit = createOrbit({ manifest, sink, telemetry: { tracer: provider.getTracer('bench') } });
const run = orbit.startRun();

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
const measure = () => ({ heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
const args = { invoice_id: 'INV-1001', status: 'paid' };

// Warm up (JIT, buffers, the span processor's queue) before the baseline.
for (let i = 0; i < 20_000; i++)
  run.guard({ tool: 'update_invoice_status', args, confidence: 0.95, records: 1 });
await settle();
const before = measure();
const started = performance.now();
const million = async () => {
  for (let i = 0; i < CALLS; i++) {
    const decision = run.guard({ tool: 'update_invoice_status', args, confidence: 0.95, records: 1 });
    run.recordOutcome(decision.call_id, { status: 'executed', output: true });
    if (i % 10_000 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the batch processor export
  }
  await provider.forceFlush();
  await settle();
  return measure();
};
const after = await million();
const seconds = (performance.now() - started) / 1000;
// A second million shows whether anything keeps growing once V8 has sized its heap.
const afterTwo = await million();
sink.close();
rmSync(path, { force: true });
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
console.log(
  `\nMemory: guarded calls (guard + outcome) in one run, OTel SDK (batch) + chained JSONL sink, gc ${gc ? 'on' : 'OFF (run with --expose-gc)'}`,
);
console.log('| measure | before | after 1M calls | growth | after 2M calls | growth in the 2nd million |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| heap used after GC (MB) | ${mb(before.heap)} | ${mb(after.heap)} | ${mb(after.heap - before.heap)} | ${mb(afterTwo.heap)} | ${mb(afterTwo.heap - after.heap)} |`,
);
console.log(
  `| RSS (MB) | ${mb(before.rss)} | ${mb(after.rss)} | ${mb(after.rss - before.rss)} | ${mb(afterTwo.rss)} | ${mb(afterTwo.rss - after.rss)} |`,
);
const grew = after.heap - before.heap;
console.log(
  `\n${(CALLS / seconds).toFixed(0)} calls/s; target: 1,000,000 calls grow retained memory by under 50 MB: ${grew < 50 * 2 ** 20 ? 'met' : 'MISSED'}`,
);
