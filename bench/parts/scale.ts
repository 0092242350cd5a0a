// Part 5 of issue 16, scale: a million guarded calls in one process (memory growth, as many runs and as
// one long run), and run trees of 1,000 sub-agents (mint and check cost as depth and width grow).
import type { BenchPart } from '../lib/results.js';
import { measureMemory, memoryMeasurements, memoryNotes, memoryTargets } from './scale/memory.js';
import { measureTrees } from './scale/tree.js';
import {
  failedChecks,
  treeComparisons,
  treeMeasurements,
  treeNotes,
  treeTargets,
} from './scale/tree-report.js';

/**
 * Scale. `full`: 1,000,000 guarded calls per scenario (1,000 runs × 1,000 calls, and one run), bare and
 * with the OpenTelemetry SDK and the chained audit, each in a child process with `--expose-gc`; then
 * trees of 1,000 sub-agents (wide, deep, balanced 10 × 10 × 10), two rounds. `smoke`: 10,000 calls and
 * 20-agent trees.
 *
 * @throws Error when a correctness check of the trees fails (a call outside the scope that does not
 * halt, an event without its token id, a revocation that does not stop the subtree).
 * @example
 * const result = await scalePart('smoke');
 */
export const scalePart: BenchPart = async (mode) => {
  const memory = await measureMemory(mode);
  const trees = await measureTrees(mode);
  const failed = failedChecks(trees);
  if (failed.length > 0) throw new Error(`scale: the run trees failed their checks: ${failed.join('; ')}`);
  return {
    part: 'scale',
    title: 'Scale: a million guarded calls, and run trees of 1,000 sub-agents',
    measurements: [...memoryMeasurements(memory), ...treeMeasurements(trees)],
    comparisons: treeComparisons(trees),
    targets: [...memoryTargets(memory), ...treeTargets(trees)],
    notes: [...memoryNotes(memory), ...treeNotes(trees)],
  };
};
