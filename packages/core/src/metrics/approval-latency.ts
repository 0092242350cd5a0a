import { nearestRank } from './statistics.js';

/** Nearest-rank percentiles of `waited_ms` over human answers (timeouts excluded). `null` without answers. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

/** Nearest-rank p50 and p90 and the max of the waits (given in any order). */
export function summarizeLatency(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 0.5),
    p90: nearestRank(sorted, 0.9),
    max: sorted.length ? sorted[sorted.length - 1]! : null,
  };
}
