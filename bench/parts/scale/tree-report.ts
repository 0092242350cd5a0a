// The run trees' results as the part reports them: measurements and comparisons at the narrowest and
// widest (or shallowest and deepest) buckets, the token-check target at depth, and the tables by bucket.
import { table, us } from '../../lib/format.js';
import { type Comparison, compare, type Measurement, type TargetStatus } from '../../lib/results.js';
import { quantile, sortedOf } from '../../lib/stats.js';
import type { Bucket } from './buckets.js';
import type { ShapeSamples, TreeResult } from './tree.js';

const n = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
const median = (values: readonly number[]) => quantile(sortedOf(values), 0.5);
const p99 = (values: readonly number[]) => quantile(sortedOf(values), 0.99);

/** A series of ns samples as a measurement in `unit`. */
function measured(name: string, unit: 'ns' | 'µs', values: readonly number[]): Measurement {
  const scale = unit === 'µs' ? 1e-3 : 1;
  const round = (value: number) => Number((value * scale).toFixed(unit === 'µs' ? 2 : 0));
  return { name, unit, median: round(median(values)), p99: round(p99(values)), samples: values.length };
}

/** `deep, depth 501–1,000` or `wide, children 1–10`; a balanced level's label names its depth already. */
const where = (shape: ShapeSamples, bucket: Bucket) =>
  bucket.label.startsWith('depth')
    ? `${shape.shape}, ${bucket.label}`
    : `${shape.shape}, ${shape.axis} ${bucket.label}`;

/** The buckets a headline figure is taken at: the first and the last (every level of a balanced tree). */
const headline = (shape: ShapeSamples) =>
  shape.shape === 'balanced' ? shape.buckets : [shape.buckets[0]!, shape.buckets.at(-1)!];

const minted = (shape: ShapeSamples) => shape.buckets.some((bucket) => bucket.delegate.length > 0);

/** Per shape, at its headline buckets: the delegation, the sub-agent's guarded call, the token check. */
export function treeMeasurements(result: TreeResult): Measurement[] {
  return result.shapes.flatMap((shape) =>
    headline(shape).flatMap((bucket) => [
      ...(minted(shape)
        ? [measured(`${where(shape, bucket)}: run.delegate (mint)`, 'µs', bucket.delegate)]
        : []),
      measured(`${where(shape, bucket)}: guarded call in the sub-agent`, 'µs', bucket.child),
      measured(`${where(shape, bucket)}: token check alone`, 'ns', bucket.check),
    ]),
  );
}

/**
 * Per shape, at its headline buckets: the sub-agent's guarded call next to the root's and a fresh run's
 * (interleaved), and the delegation next to raw `jose` signing the same claims; the deepest delegation next to the shallowest;
 * the deepest token check with a token revoked next to the same check without.
 */
export function treeComparisons(result: TreeResult): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const shape of result.shapes) {
    for (const bucket of headline(shape)) {
      const at = where(shape, bucket);
      const call = measured(`${at}: guarded call in the sub-agent`, 'µs', bucket.child);
      comparisons.push(
        compare(call, measured(`${at}: the root's guarded call (interleaved)`, 'µs', bucket.root)),
        compare(call, measured(`${at}: a fresh run's guarded call (interleaved)`, 'µs', bucket.fresh)),
      );
      if (minted(shape))
        comparisons.push(
          compare(
            measured(`${at}: run.delegate (mint)`, 'µs', bucket.delegate),
            measured(`${at}: raw jose sign of the same claims`, 'µs', bucket.jose),
          ),
        );
    }
  }
  const deep = shapeOf(result, 'deep');
  const revoked = shapeOf(result, 'deep, one token revoked');
  const [first, last] = [deep.buckets[0]!, deep.buckets.at(-1)!];
  comparisons.push(
    compare(
      measured(`${where(deep, last)}: run.delegate (mint)`, 'µs', last.delegate),
      measured(`${where(deep, first)}: run.delegate (mint)`, 'µs', first.delegate),
    ),
    compare(
      measured(
        `${where(revoked, revoked.buckets.at(-1)!)}: token check alone`,
        'ns',
        revoked.buckets.at(-1)!.check,
      ),
      measured(`${where(deep, last)}: token check alone`, 'ns', last.check),
    ),
  );
  return comparisons;
}

function shapeOf(result: TreeResult, name: string): ShapeSamples {
  const shape = result.shapes.find((each) => each.shape === name);
  if (!shape) throw new Error(`no ${name} tree in the result`);
  return shape;
}

/** The middle depth of a bucket. */
const middle = (bucket: Bucket) => (bucket.from + bucket.to) / 2;

/** ns per level of depth between the first and the last bucket's medians of `series`. */
function perLevel(shape: ShapeSamples, series: (bucket: Bucket) => readonly number[]): number {
  const [first, last] = [shape.buckets[0]!, shape.buckets.at(-1)!];
  return (median(series(last)) - median(series(first))) / Math.max(1, middle(last) - middle(first));
}

/** The earlier token-check target (< 500 ns, packages/core BENCHMARKS.md), at every depth of the chain. */
export function treeTargets(result: TreeResult): TargetStatus[] {
  const source = '@orbit-agents/core BENCHMARKS.md (Trust tokens)';
  const deep = shapeOf(result, 'deep');
  const revoked = shapeOf(result, 'deep, one token revoked');
  const worst = (shape: ShapeSamples) => Math.max(...shape.buckets.map((bucket) => median(bucket.check)));
  const depth = result.sizes.deep;
  const clean = worst(deep);
  const scanned = worst(revoked);
  const over = revoked.buckets.find((bucket) => median(bucket.check) >= 500);
  const slope = perLevel(revoked, (bucket) => bucket.check) - perLevel(deep, (bucket) => bucket.check);
  return [
    {
      source,
      target: `cached per-call token check < 500 ns, at every depth of a chain of ${n(depth)} (no token revoked)`,
      measured: `${n(clean)} ns median in the slowest depth bucket`,
      ...(clean < 500
        ? { status: 'met' as const }
        : { status: 'not met' as const, cause: 'the check grows with the depth of the token' }),
    },
    {
      source,
      target: `cached per-call token check < 500 ns, at every depth of a chain of ${n(depth)} (one token of the tree revoked)`,
      measured: `${n(scanned)} ns median in the slowest depth bucket${over ? `; ≥ 500 ns from the depth bucket ${over.label}` : ''}`,
      ...(scanned < 500
        ? { status: 'met' as const }
        : {
            status: 'not met' as const,
            cause: `once any token is revoked, \`isRevoked\` looks up every ancestor id in the token's chain (O(depth), about ${slope.toFixed(0)} ns per level): cheap in a tree a few levels deep, linear in a deep chain`,
          }),
    },
  ];
}

/** The range of delegate / raw jose (median over median) across the buckets that minted: `1.35–1.60×`. */
function mintRatios(result: TreeResult): string {
  const ratios = result.shapes
    .flatMap((shape) => shape.buckets)
    .filter((bucket) => bucket.delegate.length > 0)
    .map((bucket) => median(bucket.delegate) / median(bucket.jose));
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
}

/** One shape's table: by bucket, the delegation next to raw jose, the call next to the root's, the check. */
function shapeTable(result: TreeResult, shape: ShapeSamples): string {
  const per = result.sizes.calls * result.sizes.rounds;
  const withMint = minted(shape);
  const rows = shape.buckets.map((bucket) => {
    const mint = withMint
      ? [
          us(median(bucket.delegate)),
          us(p99(bucket.delegate)),
          us(median(bucket.jose)),
          `${(median(bucket.delegate) / median(bucket.jose)).toFixed(2)}×`,
        ]
      : ['–', '–', '–', '–'];
    return [
      bucket.label,
      n(bucket.child.length / per),
      ...mint,
      us(median(bucket.child), 2),
      us(p99(bucket.child), 1),
      us(median(bucket.root), 2),
      us(median(bucket.fresh), 2),
      `${(median(bucket.child) / median(bucket.root)).toFixed(2)}×`,
      `${(median(bucket.child) / median(bucket.fresh)).toFixed(2)}×`,
      n(median(bucket.check)),
      n(p99(bucket.check)),
    ];
  });
  return table(
    [
      shape.axis,
      'agents',
      'delegate µs',
      'p99',
      'raw jose sign µs',
      'delegate / jose',
      'call in sub-agent µs',
      'p99',
      "root's call µs",
      "fresh run's call µs",
      'sub-agent / root',
      'sub-agent / fresh',
      'token check ns',
      'p99',
    ],
    rows,
  );
}

/** The notes: method, one table per shape, the checks, what the depth costs and where the default stops. */
export function treeNotes(result: TreeResult): string[] {
  const { sizes, defaultLimit } = result;
  const deep = shapeOf(result, 'deep');
  const revoked = shapeOf(result, 'deep, one token revoked');
  const checks = new Map<string, { ok: boolean; detail: string }>();
  // The warm-up's checks count for `failedChecks`; the notes name the measured rounds'.
  for (const check of result.checks.filter((each) => (each.round ?? 0) >= 0)) {
    const seen = checks.get(check.check);
    checks.set(check.check, { ok: (seen?.ok ?? true) && check.ok, detail: check.detail });
  }
  const notes = [
    `Run trees: ${n(result.minted)} sub-agents minted over ${sizes.rounds} round${sizes.rounds > 1 ? 's' : ''} (after a discarded warm-up): wide (one parent, ${n(sizes.wide)} children), deep (a chain ${n(sizes.deep)} deep: the manifest's \`max_depth\` is ${n(sizes.deep)}, \`max_sub_agents_per_run\` 2,000) and balanced (${sizes.branching} children per node, ${sizes.levels} levels: ${n(sizes.branching ** sizes.levels)} leaves). ` +
      "Sub-agents are minted with `run.delegate({ profile, tools })`, asking for the `read` calls the parent has left; each delegation is timed (attenuation, the mint, the sub-agent's run), then raw `jose` signs the same header and claims with the same Ed25519 key. " +
      `Then ${sizes.calls} rounds of three guarded calls (\`guard\` and \`recordOutcome\`, a read-only tool), each timed alone: one in the sub-agent, one in the tree's root, one in a run of the agent's own opened for this sub-agent (the order rotating), and ${sizes.checkBatches * sizes.checkBatch} checks of its token alone (\`authority.check(token, expected)\`, timed in batches of ${sizes.checkBatch}). ` +
      "Each tree has its own orbit and token authority, which allows tokens up to 1 MiB (each token carries the ids of all its ancestors); the audit sink is one that keeps nothing and checks that every decision and outcome event carries its run's token id, so each call builds its two events as with any sink, but nothing is serialised. A guarded call here therefore costs more than `run.guard` alone in the decision part. " +
      `Two anchors: the root (the brief's: the tree's own run, interleaved) and a fresh run of the agent's own. The root makes an anchor call for every sample of the tree (${n(sizes.calls * sizes.wide)} in the wide tree; its call table keeps the last 10,000), a sub-agent ${sizes.calls}, and a run with a long history costs more per call: a sub-agent a level or two deep can come out below 1× the root. The fresh run has as few calls as the sub-agent, so the sub-agent / fresh ratio is what being a sub-agent at that depth costs (the token check, the ancestors' limits and counts).`,
    ...result.shapes.flatMap((shape) => [
      `${shape.shape[0]!.toUpperCase()}${shape.shape.slice(1)}:`,
      shapeTable(result, shape),
    ]),
    `Depth: a guarded call in a sub-agent walks its whole lineage (the gate reads each ancestor's limits, a clock reading for each one's time budget, and counts the call in each ancestor's ledger), about ${perLevel(deep, (bucket) => bucket.child).toFixed(0)} ns per level between the first and last buckets; a real tree a few levels deep pays little of it. ` +
      `The token check alone is flat with depth until a token is revoked anywhere in the authority; then each check looks up every ancestor id (about ${(perLevel(revoked, (bucket) => bucket.check) - perLevel(deep, (bucket) => bucket.check)).toFixed(0)} ns per level). ` +
      `The token at depth ${n(sizes.deep)} is ${n(result.deepestTokenBytes)} bytes; under \`createOrbit\`'s default authority (tokens up to 8,192 bytes) a chain stops at depth ${n(defaultLimit.depth)} (${defaultLimit.reasons.join(', ') || 'not refused'}${defaultLimit.detail ? `: ${defaultLimit.detail}` : ''}): the token size limit, not the manifest, bounds the depth by default.`,
    `Minting: \`run.delegate\` is more than the mint the trust part compares with raw \`jose\` (its target: ≤ 1.2×): it also parses the request, attenuates the scope, records the decision and token events and opens the sub-agent's run. Here it is ${mintRatios(result)} raw \`jose\` signing the same claims, at every width and depth; in the chain both grow with the token, which carries every ancestor's id (${n(result.deepestTokenBytes)} bytes at depth ${n(sizes.deep)}).`,
    `Checked on the way (in every round; the detail is the last round's): ${[...checks].map(([check, { ok, detail }]) => `${ok ? '✓' : '✗'} ${check}: ${detail}`).join('; ')}.`,
  ];
  return notes;
}

/**
 * The checks that failed in any round (empty when all held).
 *
 * @example
 * const failed = failedChecks(result); // ['a call to a tool outside ... : proceed']
 */
export function failedChecks(result: TreeResult): string[] {
  return result.checks.filter((check) => !check.ok).map((check) => `${check.check}: ${check.detail}`);
}
