// The trees' samples, grouped by how wide or how deep the sub-agent sat: one bucket per range.

/** The samples of the sub-agents in one range of width or depth, all in ns. */
export interface Bucket {
  /** `1–10`, `depth 2 (100 agents)`. */
  readonly label: string;
  /** The first and last index (a child's, 1-based) or depth in the bucket. */
  readonly from: number;
  readonly to: number;
  /** `run.delegate` of each sub-agent: the mint, the attenuation, the sub-agent's run. */
  readonly delegate: number[];
  /** Raw `jose` signing the same claims with the same key, right after each delegation. */
  readonly jose: number[];
  /** A guarded call in the sub-agent (`guard` and `recordOutcome`), one per sample. */
  readonly child: number[];
  /** A guarded call in the tree's root, interleaved with the sub-agent's (the anchor). */
  readonly root: number[];
  /**
   * A guarded call in a run of the agent's own opened for this sub-agent (no parent, no token, as few
   * calls as the sub-agent), interleaved too: the root carries the whole tree's history of calls.
   */
  readonly fresh: number[];
  /** The token check alone (`authority.check(token, expected)`), per check (batch means). */
  readonly check: number[];
}

const bucket = (label: string, from: number, to: number): Bucket => ({
  label,
  from,
  to,
  delegate: [],
  jose: [],
  child: [],
  root: [],
  fresh: [],
  check: [],
});

/** The ranges of width or depth the tables use: 1–10, 11–100, 101–250, 251–500, 501–1,000, cut at `n`. */
const EDGES = [10, 100, 250, 500, 1_000];

/**
 * Buckets over 1..`n` at the {@link EDGES} (the last one ends at `n`).
 *
 * @example
 * spanBuckets(20).map((b) => b.label); // ['1–10', '11–20']
 */
export function spanBuckets(n: number): Bucket[] {
  const buckets: Bucket[] = [];
  let from = 1;
  for (const edge of [...EDGES.filter((each) => each < n), n]) {
    buckets.push(bucket(`${from.toLocaleString('en-US')}–${edge.toLocaleString('en-US')}`, from, edge));
    from = edge + 1;
  }
  return buckets;
}

/** One bucket per level of a balanced tree (`branching`^level agents at each). */
export function levelBuckets(branching: number, levels: number): Bucket[] {
  const buckets: Bucket[] = [];
  for (let level = 1; level <= levels; level++) {
    const agents = branching ** level;
    buckets.push(bucket(`depth ${level} (${agents.toLocaleString('en-US')} agents)`, level, level));
  }
  return buckets;
}

/**
 * The bucket `key` falls in.
 *
 * @throws Error when no bucket holds it (the tree is larger than its buckets).
 */
export function bucketOf(buckets: readonly Bucket[], key: number): Bucket {
  const found = buckets.find((each) => key >= each.from && key <= each.to);
  if (!found) throw new Error(`no bucket holds ${key}`);
  return found;
}
