/**
 * What ORBIT adds to an OpenAI Agents SDK tool call, next to what the SDK itself costs per tool call, in the
 * same process and the same run. Results and method: BENCHMARKS.md.
 *
 * Run: `pnpm --filter @orbit-agents/openai-agents bench` (tsx, on the Node of the root `node` devDependency;
 * `prebench` builds the core and the adapter first). Options: `--quick` (fewer rounds), `--smoke` (a few
 * iterations of every part, seconds: its numbers mean nothing), `--no-profile` (skip part 4), `--dist` (the
 * adapter's build instead of its source: see adapter.ts), `--json <file>` (part 1's figures and the target's,
 * for bench/parts/adapters.ts), `--end-to-end-only` (part 1 alone).
 * The SDK's tracing is off in every variant (`setTracingDisabled(true)`, setup.ts).
 *
 * 1. End to end. `run()` of an `Agent` over a cheap stateless scripted model (model.ts: no network) and one
 *    trivial zod tool, in two shapes: one turn of 10 parallel calls, and 10 turns of one call. Variants: the
 *    SDK alone (`tool(options)`); two controls (what ORBIT switches on in the SDK, each doing nothing: a
 *    `needsApproval` function, no error function, an `agent_end` listener; with the zod schema, and with the
 *    JSON schema ORBIT hands the SDK); `oa.agent()` over `oa.tool(options)` with no sink, a `MemorySink`, a
 *    `JsonlFileSink`; `oa.agent()` over the SDK-built tool.
 *    One sample is one `run()` on a fresh thread (ORBIT takes up a new run in it); per tool call = its time /
 *    10, on two clocks: wall time and the process's CPU time. Each round runs every variant of both shapes
 *    once, in a new random order; ORBIT's added cost is the median of the per-round differences, with a
 *    bootstrap 95% interval.
 * 2. The approval round trip (pause, answer, resume) of one call, with the SDK's own approval and with ORBIT's.
 * 3. Isolated (tinybench): a guarded tool's `needsApproval` + `invoke` called directly, against the SDK tool's
 *    and the control tool's, 10 calls on a fresh run; `oa.endRun()` after them.
 * 4. CPU profiles (node:inspector) of the SDK alone and of ORBIT (no sink) in both shapes, and of part 3's
 *    ORBIT calls, by owner and top ORBIT frames.
 */
import { Bench } from 'tinybench';
import { writeAdapterReport } from '../../../bench/lib/adapter-report.js';
import { secondsSince as seconds } from '../../../bench/lib/clock.js';
import { endToEnd } from '../../../bench/lib/end-to-end.js';
import { us } from '../../../bench/lib/format.js';
import { isolatedOptions, latencyOf, printIsolated } from '../../../bench/lib/isolated.js';
import { benchFlags, bySize, machineLines } from '../../../bench/lib/machine.js';
import { type ProfileSummary, printProfiles, profiledThreads } from '../../../bench/lib/profile.js';
import { roundTripsPart } from '../../../bench/lib/round-trips.js';
import { closeSinks } from '../../../bench/lib/sinks.js';
import { random } from '../../../bench/lib/stats.js';
import { FROM_DIST } from './adapter.js';
import { endRunTask, tenCalls, tenCallsTask } from './isolated.js';
import { ownerOf } from './profile.js';
import { bindingOf, CALLS, controlTool, readOptions, readTool, SHAPES, signedManifest } from './setup.js';
import { checkInvoke, checkRoundTrip, roundTrips, variantsOf } from './variants.js';

const { size, smoke: SMOKE, profile: PROFILE, json: JSON_FILE, endToEndOnly: END_TO_END_ONLY } = benchFlags();
const ROUNDS = bySize(size, { full: 800, quick: 30, smoke: 3 });
const WARMUP_ROUNDS = bySize(size, { full: 60, quick: 5, smoke: 1 });
const TRIP_ROUNDS = bySize(size, { full: 600, quick: 30, smoke: 3 });
const ISOLATED_MS = bySize(size, { full: 2_000, quick: 300, smoke: 5 });
/** Untimed warm-up runs of part 3's three paths. */
const ISOLATED_WARMUP = bySize(size, { full: 3_000, quick: 200, smoke: 5 });
/** Profiled `run()`s per variant and shape (part 4); part 3's calls: ten times as many. */
const PROFILE_RUNS = bySize(size, { full: 1_000, quick: 50, smoke: 4 });
/** The issue's target: ORBIT adds under 2% to the SDK's own cost per tool call. */
const TARGET = 0.02;
/** Part 1's row the target is about. */
const TARGET_ROW = 'ORBIT, no sink (the target)';

const started = performance.now();

for (const line of machineLines('ORBIT OpenAI Agents SDK adapter benchmark')) console.log(line);
console.log(
  `${new Date().toISOString()}${size === 'full' ? '' : `, --${size}`}; the adapter from its ${FROM_DIST ? 'build (dist/)' : 'source (src/, by tsx)'}; ` +
    'the SDK’s tracing disabled (setTracingDisabled(true)) in every variant\n',
);

const manifest = await signedManifest();

// ---------------------------------------------------------------------------------------------------------
// Part 1: end to end, interleaved

const groups = SHAPES.map((shape) => ({ shape, variants: variantsOf(shape, manifest) }));
// The run's random order: part 1 draws from it, then part 2.
const order = random(7);
const figures = await endToEnd(groups, {
  warmupRounds: WARMUP_ROUNDS,
  rounds: ROUNDS,
  calls: CALLS,
  order,
  invoke: 'run()',
  invokes: 'runs',
  check: checkInvoke,
  compared: [
    [TARGET_ROW, 'sdk', 'orbit'],
    ['control, zod tool: the SDK’s own cost of a needsApproval function', 'sdk', 'hooks'],
    ['control, ORBIT’s JSON schema: ORBIT’s tool to the SDK, doing nothing', 'sdk', 'hooksJson'],
    ['ORBIT, no sink, vs that control (ORBIT’s own work)', 'hooksJson', 'orbit'],
    ['ORBIT, MemorySink', 'sdk', 'orbitMemory'],
    ['ORBIT, JSONL sink', 'sdk', 'orbitJsonl'],
    ['ORBIT over the SDK-built tool, no sink', 'sdk', 'orbitBuilt'],
  ],
  target: TARGET,
});

/** The run's end: the audit files closed, part 1's figures written (`--json`), the total time. */
function finish(): void {
  closeSinks(groups.flatMap(({ variants }) => variants.map(({ sink }) => sink)));
  writeAdapterReport(JSON_FILE, {
    bench: '@orbit-agents/openai-agents',
    size,
    adapter: FROM_DIST ? 'dist' : 'src',
    rounds: ROUNDS,
    target: { ratio: TARGET, label: TARGET_ROW, clock: 'cpu' },
    ...figures,
  });
  console.log(`\nTotal ${seconds(started)}.`);
}

// `--end-to-end-only`: part 1 is all that `--json` reports (bench/parts/adapters.ts); parts 2 to 4 are skipped.
if (END_TO_END_ONLY) {
  finish();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: the approval round trip

await roundTripsPart(roundTrips(manifest), {
  warmupRounds: WARMUP_ROUNDS,
  rounds: TRIP_ROUNDS,
  order,
  check: checkRoundTrip,
});

// ---------------------------------------------------------------------------------------------------------
// Part 3: isolated, tinybench

const part3Start = performance.now();
const isolated = new Bench(isolatedOptions(ISOLATED_MS, SMOKE));
const { oa: isoOrbit } = bindingOf(manifest, 'none');
const guardedRead = isoOrbit.tool(readOptions);
const controlRead = controlTool(guardedRead.parameters as Record<string, unknown>);
// Sanity, untimed: every path runs the tool (tenCalls throws otherwise).
await tenCalls(readTool);
await tenCalls(controlRead);
await tenCalls(guardedRead, 'iso-check');
await isoOrbit.endRun('iso-check');
// Warm all three paths first (untimed): tinybench's own warm-up left the first task's JIT unfinished.
for (let i = 0; i < ISOLATED_WARMUP; i++) {
  await tenCalls(readTool);
  await tenCalls(controlRead);
  await tenCalls(guardedRead, `iso-warm-${i}`);
  await isoOrbit.endRun(`iso-warm-${i}`);
}
const BASELINE = 'SDK zod tool: needsApproval + invoke (baseline)';
const CONTROL = 'control tool, ORBIT’s JSON schema: needsApproval + invoke';
const ORBIT_CALLS = 'ORBIT guarded tool: needsApproval + invoke';
const END_RUN = 'oa.endRun(), a run of 10 calls';
isolated
  .add(BASELINE, tenCallsTask(readTool))
  .add(CONTROL, tenCallsTask(controlRead))
  .add(ORBIT_CALLS, tenCallsTask(guardedRead, isoOrbit))
  .add(END_RUN, endRunTask(guardedRead, isoOrbit));
await isolated.run();
printIsolated(isolated, { ms: ISOLATED_MS, calls: CALLS, started: part3Start });
const overUs = (name: string) =>
  us((latencyOf(isolated, ORBIT_CALLS).p50! - latencyOf(isolated, name).p50!) * 1e6, 2);
console.log(
  `\nORBIT, hot: ${overUs(CONTROL)} µs per tool call over the control tool, ${overUs(BASELINE)} µs over the SDK's ` +
    `zod tool (+ ${us((latencyOf(isolated, END_RUN).p50! * 1e6) / CALLS, 2)} µs per call for ending a run of ${CALLS}, untimed in part 1).`,
);

// ---------------------------------------------------------------------------------------------------------
// Part 4: CPU profiles of the SDK alone and of ORBIT (no sink), both shapes, and of part 3's ORBIT calls

if (PROFILE) {
  const part4Start = performance.now();
  const summaries: ProfileSummary[] = [];
  for (const { shape, variants } of groups) {
    for (const key of ['sdk', 'orbit'] as const) {
      const { invoke, after } = variants.find((v) => v.key === key)!;
      const name = `${key === 'sdk' ? 'SDK alone' : 'ORBIT'}, ${shape.name}`;
      summaries.push(await profiledThreads(name, PROFILE_RUNS, CALLS, ownerOf, invoke, after));
    }
  }
  // ORBIT's per-call path alone, hot (part 3's task): its frames without the SDK's runner.
  const isolatedRuns = PROFILE_RUNS * 10;
  summaries.push(
    await profiledThreads(
      'isolated calls',
      isolatedRuns,
      CALLS,
      ownerOf,
      (threadId) => tenCalls(guardedRead, threadId),
      (threadId) => isoOrbit.endRun(threadId),
    ),
  );
  console.log(
    `\nPart 4: CPU profiles (node:inspector, 100 µs sampling), ${PROFILE_RUNS} runs per column (isolated: ` +
      `${isolatedRuns * CALLS} calls); share of the samples (idle excluded) and µs per tool call\n`,
  );
  printProfiles(summaries);
  console.log(`(part 4: ${seconds(part4Start)})`);
}

finish();
