// How big the scale part's run trees are, and how much each sub-agent is sampled.
import type { BenchMode } from '../../lib/results.js';

/** How big the trees are and how much each agent is sampled. */
export interface TreeSizes {
  /** Children of the wide tree's one parent. */
  readonly wide: number;
  /** Depth of the chain (and the manifest's `max_depth`). */
  readonly deep: number;
  /** The balanced tree: `branching` children per node, `levels` levels below the root. */
  readonly branching: number;
  readonly levels: number;
  /** Guarded calls timed per agent (each next to one of the root's and one of a fresh run's). */
  readonly calls: number;
  /** Token checks per agent, in batches of `checkBatch` (one sample per batch). */
  readonly checkBatches: number;
  readonly checkBatch: number;
  /** Each tree is built this many times (fresh orbit, fresh authority), samples pooled. */
  readonly rounds: number;
}

/** Full: trees of 1,000 sub-agents (1,110 balanced), two rounds. Smoke: 20-agent trees, one round. */
export const TREE_SIZES: Record<BenchMode, TreeSizes> = {
  full: {
    wide: 1_000,
    deep: 1_000,
    branching: 10,
    levels: 3,
    calls: 10,
    checkBatches: 2,
    checkBatch: 32,
    rounds: 2,
  },
  smoke: { wide: 20, deep: 20, branching: 4, levels: 2, calls: 3, checkBatches: 1, checkBatch: 8, rounds: 1 },
};

/** The warm-up trees (discarded): every code path, at most 100 agents each. */
export const warmUpSizes = (sizes: TreeSizes): TreeSizes => ({
  ...sizes,
  wide: Math.min(100, sizes.wide),
  deep: Math.min(100, sizes.deep),
  branching: Math.min(4, sizes.branching),
  levels: Math.min(2, sizes.levels),
  rounds: 1,
});
