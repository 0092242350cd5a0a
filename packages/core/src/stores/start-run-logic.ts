import type { StartRunMode, StartRunResult } from './run-store.js';

/**
 * The rule of `startRun`, shared by the memory and SQLite stores (the Redis store runs it in Lua): a
 * resumed run needs its record; a run keeps the manifest digest its record holds. `stored`: the digest
 * in the run's record (`null`: a record written before digests were kept), `undefined`: no record.
 * `traced`: without a record, some other state of the run is there (counts, approvals, actions): the
 * run existed and lost part of its state, in either mode. `started` means: write the record now.
 */
export function startRunOutcome(
  stored: string | null | undefined,
  manifestDigest: string,
  mode: StartRunMode,
  traced = false,
): StartRunResult {
  if (stored === undefined) return mode === 'resume' || traced ? 'state_lost' : 'started';
  return stored === manifestDigest ? 'resumed' : 'manifest_changed';
}
