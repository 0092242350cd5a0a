// The scale part's run trees: wide (one parent, many children), deep (a chain as deep as the manifest
// allows) and balanced, built `rounds` times after a discarded warm-up. Every sub-agent is timed as it is
// minted (`run.delegate`, next to raw `jose` signing its claims with the same key), then its guarded calls
// next to the root's and a fresh run's, and its token checked alone. Correctness is checked on the way.
import type { BenchMode } from '../../lib/results.js';
import { type Bucket, levelBuckets, spanBuckets } from './buckets.js';
import { type DefaultLimit, probeDefaultDepth, type TreeCheck } from './tree-checks.js';
import { loadTreeManifest, treeKey } from './tree-setup.js';
import { balancedTree, deepTree, type ShapeContext, wideTree } from './tree-shapes.js';
import { TREE_SIZES, type TreeSizes, warmUpSizes } from './tree-sizes.js';

/** One shape's samples, bucketed by width (a child's index) or depth. */
export interface ShapeSamples {
  readonly shape: string;
  /** What the buckets are over. */
  readonly axis: 'children' | 'depth';
  readonly buckets: readonly Bucket[];
}

/** What the trees measured and checked. */
export interface TreeResult {
  readonly sizes: TreeSizes;
  readonly shapes: readonly ShapeSamples[];
  /** Every round's checks, the warm-up's included. */
  readonly checks: readonly TreeCheck[];
  /** Sub-agents minted in the measured rounds. */
  readonly minted: number;
  /** The length of the deepest token of the chain, bytes. */
  readonly deepestTokenBytes: number;
  /** How deep a chain goes under the default token size limit. */
  readonly defaultLimit: DefaultLimit;
}

/** Empty buckets for each shape of `sizes`. */
const bucketsFor = (sizes: TreeSizes) => ({
  wide: spanBuckets(sizes.wide),
  deep: spanBuckets(sizes.deep),
  revoked: spanBuckets(sizes.deep),
  balanced: levelBuckets(sizes.branching, sizes.levels),
});

/**
 * Builds the three trees `rounds` times (after a discarded warm-up) and returns their samples and checks.
 *
 * @throws Error when a delegation that should succeed is refused (the trees' limits are wrong).
 */
export async function measureTrees(mode: BenchMode): Promise<TreeResult> {
  const sizes = TREE_SIZES[mode];
  const key = await treeKey();
  const manifest = await loadTreeManifest('scale-tree', sizes.deep);
  const buckets = bucketsFor(sizes);
  const checks: TreeCheck[] = [];
  let minted = 0;
  let deepestTokenBytes = 0;
  for (let round = -1; round < sizes.rounds; round++) {
    const warm = round < 0;
    const context: ShapeContext = { manifest, key, sizes: warm ? warmUpSizes(sizes) : sizes, round };
    const into = warm ? bucketsFor(context.sizes) : buckets;
    const wide = await wideTree(context, into.wide);
    const deep = await deepTree(context, into.deep, into.revoked);
    const balanced = await balancedTree(context, into.balanced);
    checks.push(...wide.checks, ...deep.checks, ...balanced.checks);
    if (warm) continue;
    minted += wide.minted + deep.minted + balanced.minted;
    deepestTokenBytes = deep.deepestTokenBytes;
  }
  return {
    sizes,
    shapes: [
      { shape: 'wide', axis: 'children', buckets: buckets.wide },
      { shape: 'deep', axis: 'depth', buckets: buckets.deep },
      { shape: 'deep, one token revoked', axis: 'depth', buckets: buckets.revoked },
      { shape: 'balanced', axis: 'depth', buckets: buckets.balanced },
    ],
    checks,
    minted,
    deepestTokenBytes,
    defaultLimit: await probeDefaultDepth(),
  };
}
