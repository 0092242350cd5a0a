/**
 * What ORBIT adds to an OpenAI Agents SDK tool call, next to what the SDK itself costs per tool call, in the
 * same process and the same run. Results and method: BENCHMARKS.md.
 *
 * Run: `pnpm --filter @orbit-agents/openai-agents bench` (tsx, on the Node of the root `node` devDependency;
 * `prebench` builds the core and the adapter first). Options: `--quick` (fewer rounds, a smoke test),
 * `--no-profile` (skip part 4), `--dist` (the adapter's build instead of its source: see adapter.ts).
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
import { rmSync, truncateSync } from 'node:fs';
import { JsonlFileSink } from '@orbit-agents/core';
import { Bench } from 'tinybench';
import { secondsSince as seconds, stopwatch } from '../../../bench/lib/clock.js';
import { pct, table, us } from '../../../bench/lib/format.js';
import { benchFlags, machineLines } from '../../../bench/lib/machine.js';
import { type ProfileSummary, printProfiles, profiled } from '../../../bench/lib/profile.js';
import { type Paired, paired, quantile, random, shuffled, sortedOf } from '../../../bench/lib/stats.js';
import { FROM_DIST } from './adapter.js';
import { endRunTask, tenCalls, tenCallsTask } from './isolated.js';
import { ownerOf } from './profile.js';
import {
  bindingOf,
  CALLS,
  controlTool,
  readOptions,
  readTool,
  SHAPES,
  type Shape,
  signedManifest,
  sinkPaths,
} from './setup.js';
import {
  checkInvoke,
  checkRoundTrip,
  type RoundTrip,
  roundTrips,
  type Variant,
  variantsOf,
} from './variants.js';

const { quick: QUICK, profile: PROFILE } = benchFlags();
const ROUNDS = QUICK ? 30 : 800;
const WARMUP_ROUNDS = QUICK ? 5 : 60;
const TRIP_ROUNDS = QUICK ? 30 : 600;
const ISOLATED_MS = QUICK ? 300 : 2_000;
/** Profiled `run()`s per variant and shape (part 4); part 3's calls: ten times as many. */
const PROFILE_RUNS = QUICK ? 50 : 1_000;
/** The target: ORBIT adds under 2% to the SDK's own cost per tool call. */
const TARGET = 0.02;

const started = performance.now();
let threadSeq = 0;

for (const line of machineLines('ORBIT OpenAI Agents SDK adapter benchmark')) console.log(line);
console.log(
  `${new Date().toISOString()}${QUICK ? ', --quick' : ''}; the adapter from its ${FROM_DIST ? 'build (dist/)' : 'source (src/, by tsx)'}; ` +
    'the SDK’s tracing disabled (setTracingDisabled(true)) in every variant\n',
);

const manifest = await signedManifest();

// ---------------------------------------------------------------------------------------------------------
// Part 1: end to end, interleaved

/** One run() on a fresh thread, timed on both clocks. What follows it (ending the ORBIT run) is untimed. */
async function timedInvoke(variant: Variant, check?: Shape) {
  const threadId = `${variant.key}-${threadSeq++}`;
  const read = stopwatch();
  const result = await variant.invoke(threadId);
  const clocks = read();
  if (check) checkInvoke(variant, check, result);
  await variant.after(threadId);
  return clocks;
}

const groups = SHAPES.map((shape) => ({ shape, variants: variantsOf(shape, manifest) }));
for (const { shape, variants } of groups) for (const variant of variants) await timedInvoke(variant, shape);

console.log(
  `Part 1: ${WARMUP_ROUNDS} warm-up + ${ROUNDS} timed rounds, ${groups.length * groups[0]!.variants.length} runs per round...`,
);
const part1Start = performance.now();
// Every round runs every variant of both shapes once, in a new random order, so that no variant always
// follows the same neighbour (and its garbage).
const order = random(7);
const everyVariant = groups.flatMap(({ variants }) => variants);
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  for (const variant of shuffled(everyVariant, order)) {
    const { wall, cpu } = await timedInvoke(variant);
    if (round < WARMUP_ROUNDS) continue;
    variant.samples.wall.push(wall / CALLS);
    variant.samples.cpu.push(cpu / CALLS);
  }
  // Keep the audit files small (untimed): the append-mode descriptor goes on writing at the new end.
  if (round % 50 === 49) for (const path of sinkPaths) truncateSync(path, 0);
}

const medianAndP99 = (values: readonly number[]) => {
  const sorted = sortedOf(values);
  return [us(quantile(sorted, 0.5)), us(quantile(sorted, 0.99))];
};
const perVariantRows = groups.flatMap(({ shape, variants }) =>
  variants.map(({ label, samples }) => [
    shape.name,
    label,
    ...medianAndP99(samples.wall),
    ...medianAndP99(samples.cpu),
  ]),
);
const COMPARED: [string, Variant['key'], Variant['key']][] = [
  ['ORBIT, no sink (the target)', 'sdk', 'orbit'],
  ['control, zod tool: the SDK’s own cost of a needsApproval function', 'sdk', 'hooks'],
  ['control, ORBIT’s JSON schema: ORBIT’s tool to the SDK, doing nothing', 'sdk', 'hooksJson'],
  ['ORBIT, no sink, vs that control (ORBIT’s own work)', 'hooksJson', 'orbit'],
  ['ORBIT, MemorySink', 'sdk', 'orbitMemory'],
  ['ORBIT, JSONL sink', 'sdk', 'orbitJsonl'],
  ['ORBIT over the SDK-built tool, no sink', 'sdk', 'orbitBuilt'],
];
const verdict = (p: Paired) =>
  p.ratio < TARGET ? (p.high / p.base < TARGET ? 'pass' : 'pass (CI reaches 2%)') : 'FAIL';
/** A comparison's cells on one clock: added µs, its interval, added %. */
const addedCells = (p: Paired) => [us(p.added), `${us(p.low)} to ${us(p.high)}`, pct(p.ratio)];
const comparisonRows = groups.flatMap(({ shape, variants }) =>
  COMPARED.map(([label, from, to]) => {
    const by = (key: Variant['key']) => variants.find((variant) => variant.key === key)!.samples;
    const wall = paired(by(from).wall, by(to).wall);
    const cpu = paired(by(from).cpu, by(to).cpu);
    return [
      shape.name,
      label,
      us(wall.base),
      ...addedCells(wall),
      us(cpu.base),
      ...addedCells(cpu),
      `${verdict(wall)} / ${verdict(cpu)}`,
    ];
  }),
);
console.log(`\nPart 1 (${seconds(part1Start)}): per tool call, µs (run() time / ${CALLS} calls)\n`);
console.log(table(['shape', 'variant', 'wall median', 'wall p99', 'CPU median', 'CPU p99'], perVariantRows));
console.log(
  '\nAdded per tool call: median of the per-round differences against the baseline of the same round\n',
);
console.log(
  table(
    [
      'shape',
      'variant',
      'baseline wall µs',
      'added wall µs',
      '95% CI',
      'added wall %',
      'baseline CPU µs',
      'added CPU µs',
      '95% CI',
      'added CPU %',
      '< 2%? (wall / CPU)',
    ],
    comparisonRows,
  ),
);

// ---------------------------------------------------------------------------------------------------------
// Part 2: the approval round trip

const part2Start = performance.now();
const trips = roundTrips(manifest);
for (const trip of trips) {
  const threadId = `trip-check-${threadSeq++}`;
  checkRoundTrip(trip.label, await trip.run(threadId));
  await trip.after(threadId);
}
for (let round = 0; round < WARMUP_ROUNDS + TRIP_ROUNDS; round++) {
  for (const trip of shuffled(trips, order)) {
    const threadId = `trip-${threadSeq++}`;
    const read = stopwatch();
    await trip.run(threadId);
    const { wall, cpu } = read();
    await trip.after(threadId);
    if (round < WARMUP_ROUNDS) continue;
    trip.samples.wall.push(wall);
    trip.samples.cpu.push(cpu);
  }
}
{
  const [sdkTrue, sdkFunction, orbit] = trips as [RoundTrip, RoundTrip, RoundTrip];
  console.log(
    `\nPart 2 (${seconds(part2Start)}): one approval round trip (pause, answer, resume), ${TRIP_ROUNDS} rounds, µs\n`,
  );
  console.log(
    table(
      ['round trip', 'wall median', 'wall p99', 'CPU median', 'CPU p99'],
      trips.map(({ label, samples }) => [label, ...medianAndP99(samples.wall), ...medianAndP99(samples.cpu)]),
    ),
  );
  console.log('\nORBIT added per round trip\n');
  console.log(
    table(
      [
        'against',
        'baseline wall µs',
        'added wall µs',
        '95% CI',
        'added wall %',
        'added CPU µs',
        '95% CI',
        'added CPU %',
      ],
      [sdkTrue, sdkFunction].map((sdk) => {
        const wall = paired(sdk.samples.wall, orbit.samples.wall);
        const cpu = paired(sdk.samples.cpu, orbit.samples.cpu);
        return [sdk.label, us(wall.base), ...addedCells(wall), ...addedCells(cpu)];
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Part 3: isolated, tinybench

const part3Start = performance.now();
const isolated = new Bench({
  time: ISOLATED_MS,
  warmupTime: 300,
  timestampProvider: 'hrtimeNow',
  throws: true,
});
const { oa: isoOrbit } = bindingOf(manifest, 'none');
const guardedRead = isoOrbit.tool(readOptions);
const controlRead = controlTool(guardedRead.parameters as Record<string, unknown>);
// Sanity, untimed: every path runs the tool (tenCalls throws otherwise).
await tenCalls(readTool);
await tenCalls(controlRead);
await tenCalls(guardedRead, 'iso-check');
await isoOrbit.endRun('iso-check');
// Warm all three paths first (untimed): tinybench's own warm-up left the first task's JIT unfinished.
for (let i = 0; i < (QUICK ? 200 : 3_000); i++) {
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
const latencyOf = (name: string) => {
  const { result } = isolated.getTask(name)!;
  if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
  return result.latency;
};
console.log(
  `\nPart 3 (${seconds(part3Start)}): isolated (tinybench, ${ISOLATED_MS} ms per task; calls: mean of ${CALLS} calls on a fresh run)\n`,
);
console.log(
  table(
    ['task', 'median µs', 'p99 µs', 'samples'],
    isolated.tasks.map((task) => {
      const latency = latencyOf(task.name);
      return [
        task.name,
        us(latency.p50! * 1e6, 2),
        us(latency.p99! * 1e6, 2),
        latency.samplesCount.toLocaleString('en-US'),
      ];
    }),
  ),
);
const overUs = (name: string) => us((latencyOf(ORBIT_CALLS).p50! - latencyOf(name).p50!) * 1e6, 2);
console.log(
  `\nORBIT, hot: ${overUs(CONTROL)} µs per tool call over the control tool, ${overUs(BASELINE)} µs over the SDK's ` +
    `zod tool (+ ${us((latencyOf(END_RUN).p50! * 1e6) / CALLS, 2)} µs per call for ending a run of ${CALLS}, untimed in part 1).`,
);

// ---------------------------------------------------------------------------------------------------------
// Part 4: CPU profiles of the SDK alone and of ORBIT (no sink), both shapes, and of part 3's ORBIT calls

if (PROFILE) {
  const part4Start = performance.now();
  const summaries: ProfileSummary[] = [];
  for (const { shape, variants } of groups) {
    for (const key of ['sdk', 'orbit'] as const) {
      const variant = variants.find((v) => v.key === key)!;
      const threads = Array.from({ length: PROFILE_RUNS }, () => `profile-${threadSeq++}`);
      const name = `${key === 'sdk' ? 'SDK alone' : 'ORBIT'}, ${shape.name}`;
      summaries.push(
        await profiled(name, PROFILE_RUNS * CALLS, ownerOf, async () => {
          for (const threadId of threads) await variant.invoke(threadId);
        }),
      );
      // Ending the runs is left out of the profile, as it is untimed in part 1.
      for (const threadId of threads) await variant.after(threadId);
    }
  }
  // ORBIT's per-call path alone, hot (part 3's task): its frames without the SDK's runner.
  const threads = Array.from({ length: PROFILE_RUNS * 10 }, () => `profile-${threadSeq++}`);
  summaries.push(
    await profiled('isolated calls', threads.length * CALLS, ownerOf, async () => {
      for (const threadId of threads) await tenCalls(guardedRead, threadId);
    }),
  );
  for (const threadId of threads) await isoOrbit.endRun(threadId);
  console.log(
    `\nPart 4: CPU profiles (node:inspector, 100 µs sampling), ${PROFILE_RUNS} runs per column (isolated: ` +
      `${threads.length * CALLS} calls); share of the samples (idle excluded) and µs per tool call\n`,
  );
  printProfiles(summaries);
  console.log(`(part 4: ${seconds(part4Start)})`);
}

for (const { variants } of groups)
  for (const { sink } of variants) if (sink instanceof JsonlFileSink) sink.close();
for (const path of sinkPaths) rmSync(path, { force: true });
console.log(`\nTotal ${seconds(started)}.`);
