// `run.guard` of two built checkouts, each ALONE in its process (as an application loads the core), in one
// run: processes alternate before/after, and each reports its best round. bench/compare-builds.ts loads both
// checkouts into each process instead, where their separate dependency copies slow both (BENCHMARKS.md).
//
// Usage: node bench/guard-alone.mjs --before <checkout> [--after <checkout>] [--processes N]
//   (each checkout built: packages/core/dist). Default --after: this checkout; --processes: 8 per checkout.
// A process: 15 rounds (3 warm-up) of 200 runs × 1,000 calls, each run ended, a new request object per call,
// no sink, in-memory ledger (the request of packages/core/bench/run.ts); it prints its best round's mean.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const worker = process.argv.indexOf('--worker');
if (worker !== -1) {
  console.log(await measure(process.argv[worker + 1]));
  process.exit(0);
}
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const before = option('before');
if (!before)
  throw new Error(
    'usage: node bench/guard-alone.mjs --before <checkout> [--after <checkout>] [--processes N]',
  );
const after = option('after', resolve(dirname(fileURLToPath(import.meta.url)), '..'));
const processes = Number(option('processes', '8'));
const results = { before: [], after: [] };
for (let i = 0; i < processes; i++) {
  for (const [label, dir] of i % 2
    ? [
        ['after', after],
        ['before', before],
      ]
    : [
        ['before', before],
        ['after', after],
      ]) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--worker', resolve(dir)], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: '' },
    });
    results[label].push(Number(out.trim()));
  }
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
// Bootstrap 95% interval of the ratio of medians: processes resampled with replacement, per checkout.
const ratios = [];
const draw = (values) => values.map(() => values[Math.floor(Math.random() * values.length)]);
for (let i = 0; i < 5000; i++) ratios.push(median(draw(results.after)) / median(draw(results.before)));
ratios.sort((a, b) => a - b);
const ratio = median(results.after) / median(results.before);
const [low, high] = [ratios[Math.floor(0.025 * ratios.length)], ratios[Math.floor(0.975 * ratios.length)]];
const git = (dir) =>
  execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
console.log(
  `run.guard, no sink, each checkout alone in its process (${processes} processes each, best round each)`,
);
console.log(
  `before ${git(before)}: ${results.before.join(' ')} ns (median ${median(results.before).toFixed(0)})`,
);
console.log(
  `after  ${git(after)}: ${results.after.join(' ')} ns (median ${median(results.after).toFixed(0)})`,
);
console.log(
  `after/before ${ratio.toFixed(3)}, 95% CI ${low.toFixed(3)} to ${high.toFixed(3)}: ${high <= 1.03 || ratio <= 1 ? 'no slower' : low > 1.03 ? 'SLOWER' : 'not excluded'}`,
);

async function measure(dir) {
  const { createOrbit, loadManifest } = await import(`${dir}/packages/core/dist/index.js`);
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
  return best.toFixed(1);
}
