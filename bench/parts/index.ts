// The benchmark parts, in the order the runner (bench/run-all.ts) runs them and RESULTS.md shows them: the
// issue's items 1 to 5. Each is loaded only when it runs, so that `--part <name>` loads that part alone.
import type { BenchPart } from '../lib/results.js';

/** A part of the run: its name (`--part <name>`) and how to load it. */
export interface PartEntry {
  readonly name: string;
  readonly load: () => Promise<BenchPart>;
}

/** Every part, in order. */
export const PARTS: readonly PartEntry[] = [
  { name: 'decision', load: async () => (await import('./decision.js')).decisionPart },
  { name: 'trust', load: async () => (await import('./trust.js')).trustPart },
  { name: 'stores', load: async () => (await import('./stores.js')).storesPart },
  { name: 'adapters', load: async () => (await import('./adapters.js')).adaptersPart },
  { name: 'scale', load: async () => (await import('./scale.js')).scalePart },
];
