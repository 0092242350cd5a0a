// ORBIT as the decision part runs it: the manifest loaded once, the gate's compiled policy for `decide`, and
// deployments (an Orbit and its current run) with or without the OpenTelemetry SDK and a JSONL audit sink.
import { rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  createOrbit,
  defineTool,
  JsonlFileSink,
  type LoadedManifest,
  loadManifest,
  type Orbit,
  type Run,
} from '@orbit-agents/core';
import { compilePolicy, type GateRequest, MemoryLedger, type Policy } from '@orbit-agents/core/gate';
import { z } from 'zod';
import { type BenchRequest, MANIFEST } from './policy.js';

/** The manifest, loaded unsigned (a benchmark has no signing key to check). */
export const loadBenchManifest = () =>
  loadManifest({ manifest: MANIFEST, allowUnsigned: true, logger: { warn() {} } });

/** What `decide` is given: the policy the gate compiles from the manifest, and an empty ledger. */
export function gateOf(loaded: LoadedManifest): { policy: Policy; state: MemoryLedger } {
  return { policy: compilePolicy(loaded), state: new MemoryLedger(Date.now) };
}

/** `request` as the gate reads it: one record, not approved. */
export const gateRequest = (request: BenchRequest): GateRequest => ({
  tool: request.tool,
  confidence: request.confidence,
  records: 1,
  resource: request.resource,
  approved: false,
});

/** The write tool, for `run.execute`: zod input, its resource and record count, a trivial synchronous body. */
export const updateInvoice = defineTool({
  name: 'update_invoice_status',
  input: z.object({ invoice_id: z.string(), status: z.enum(['paid', 'open']) }),
  resource: (input) => `invoice:${input.invoice_id}`,
  records: () => 1,
  execute: (input) => ({ invoice_id: input.invoice_id, updated: true }),
});

const ARGS = { invoice_id: 'INV-1001', status: 'paid' as const };
/** `run.execute`'s arguments: the tool's input and the model's confidence (read and stripped by ORBIT). */
export const EXECUTE_ARGS = { ...ARGS, confidence: 0.95 };

/** `run.guard`'s request for the timed call: a new object per call, as an adapter builds it. */
export const guardRequest = () => ({
  tool: 'update_invoice_status',
  args: ARGS,
  confidence: 0.95,
  records: 1,
  resource: 'invoice:INV-1001',
});

/** How a deployment reports: a tracer (else the API's no-op), an audit sink (else none). */
export interface Reporting {
  readonly tracer?: Tracer;
  readonly audit?: 'chained' | 'unchained';
}

/**
 * One deployment and its current run. A run remembers the calls it guarded, so a long run gets slower per
 * call: the run is replaced (ended, outside the timing) every `perRun` calls, and its audit file emptied.
 */
export class RunPool {
  readonly orbit: Orbit;
  run: Run;
  readonly sink: JsonlFileSink | undefined;
  private calls = 0;

  constructor(
    loaded: LoadedManifest,
    reporting: Reporting,
    private readonly perRun: number,
  ) {
    if (reporting.audit) {
      const path = join(tmpdir(), `orbit-bench-decision-${process.pid}-${sinkCount++}.jsonl`);
      this.sink = new JsonlFileSink(path, { chain: reporting.audit === 'chained' });
    }
    this.orbit = createOrbit({ manifest: loaded, sink: this.sink, telemetry: { tracer: reporting.tracer } });
    this.run = this.orbit.startRun();
  }

  /** Makes room for `next` more calls in the current run (a fresh run when it is full). */
  async reserve(next: number): Promise<void> {
    if (this.calls + next <= this.perRun) {
      this.calls += next;
      return;
    }
    await this.run.end();
    // The append-mode descriptor goes on writing at the new end.
    if (this.sink) truncateSync(this.sink.path, 0);
    this.run = this.orbit.startRun();
    this.calls = next;
  }

  /** Ends the run, closes the sink and removes its file. */
  async close(): Promise<void> {
    await this.run.end();
    if (!this.sink) return;
    this.sink.close();
    rmSync(this.sink.path, { force: true });
  }
}

let sinkCount = 0;

/** The OpenTelemetry SDK as an application sets it up: a batch processor, its exporter dropping the spans. */
export function sdkTracing(): { tracer: Tracer; shutdown: () => Promise<void> } {
  const exporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
  return { tracer: provider.getTracer('orbit-bench'), shutdown: () => provider.shutdown() };
}
