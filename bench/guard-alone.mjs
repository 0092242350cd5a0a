// `run.guard` of one built checkout alone in its process (as an application loads it), for comparing two
// checkouts without loading both into one process (bench/compare-builds.ts does that, interleaved).
// Usage: node bench/guard-alone.mjs <checkout dir>   (run it for each checkout, alternately, several times)
// Prints the best round's mean ns per call: 200 runs × 1,000 calls a round, each run ended, as in
// packages/core/bench/run.ts (no sink, in-memory ledger, a new request object per call).
const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/guard-alone.mjs <checkout dir>');
const { createOrbit, loadManifest } = await import(`${dir}/packages/core/dist/index.js`);
const MANIFEST = `
agent_id: "bench-agent"
owner_team: "#bench"
deployed_at: "2026-05-01T09:00:00Z"
task_scope: "Benchmark"
maturity_level: 3
allowed_tools:
  - name: "update_invoice_status"
    max_calls_per_run: 1000000000
    reversibility: "partial"
    confidence_threshold: 0.88
    resources: ["invoice:*"]
interruption_policy:
  confidence_floor: 0.72
  max_tokens_per_run: 1000000000000
  max_records_touched_per_run: 1000000000000
  time_limit_minutes: 1000000
known_resource_types: ["invoice"]
`;
const manifest = await loadManifest({ manifest: MANIFEST, allowUnsigned: true, logger: { warn() {} } });
const orbit = createOrbit({ manifest });
const args = { invoice_id: 'INV-1001', status: 'paid' };
let best = Number.POSITIVE_INFINITY;
for (let round = 0; round < 15; round++) {
  let total = 0;
  for (let r = 0; r < 200; r++) {
    const run = orbit.startRun();
    const start = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++)
      run.guard({
        tool: 'update_invoice_status',
        args,
        confidence: 0.95,
        records: 1,
        resource: 'invoice:INV-1001',
      });
    total += Number(process.hrtime.bigint() - start);
    void run.end();
  }
  if (round >= 3) best = Math.min(best, total / 200_000); // the first rounds warm up
}
console.log(`${dir}: ${best.toFixed(0)} ns per run.guard (best round)`);
