/**
 * What ORBIT adds to an AI SDK tool call, next to what the AI SDK itself costs per tool call, in the same
 * process and the same run. Results and method: BENCHMARKS.md.
 *
 * Run: `pnpm --filter @orbit-agents/vercel-ai bench` (tsx, on the Node of the root `node` devDependency).
 * Options: `--quick` (fewer rounds, a smoke test), `--no-profile` (skip part 4), `--dist` (the adapter's build,
 * `pnpm build` first, instead of its source: see adapter.ts).
 *
 * 1. End to end. `generateText` over the scripted `MockLanguageModelV4` (test/scripted-model.ts: replay-safe,
 *    no network) and one trivial zod tool, in two shapes: one turn of 10 parallel calls, and 10 turns of one
 *    call. Variants: the SDK alone, with the zod tool and with the tool's JSON schema made once (ORBIT too
 *    hands the SDK a schema made once: the like-for-like baseline); that with the hooks ORBIT spreads, each
 *    doing nothing (the control); `orbitAi.settings(...)` with no sink, a `MemorySink`, a `JsonlFileSink`.
 *    One sample is one `generateText` on a fresh thread (ORBIT takes up a new run in it); per tool call = its
 *    time / 10, on two clocks: wall time and the process's CPU time (steadier on a shared machine). Each round
 *    runs every variant of both shapes once, in a new random order; ORBIT's added cost is the median of the
 *    per-round differences, with a bootstrap 95% interval.
 * 2. The approval round trip (pause, answer, resume) of one call, with the SDK's own approval and with ORBIT's.
 * 3. Isolated (tinybench): `orbitAi.settings()` on its own; ORBIT's `toolApproval` + guarded `execute` against
 *    the SDK's input check + the plain `execute`, 10 calls on a fresh run; `orbitAi.endRun()` after them.
 * 4. CPU profiles (node:inspector) of the ORBIT variant (no sink) in both shapes and of part 3's ORBIT calls,
 *    by owner and top ORBIT frames.
 */
import { rmSync, truncateSync } from 'node:fs';
import { JsonlFileSink } from '@orbit-agents/core';
import { asSchema, type ModelMessage, type Tool } from 'ai';
import { Bench } from 'tinybench';
import { nowNs, secondsSince as seconds, stopwatch } from '../../../bench/lib/clock.js';
import { pct, table, us } from '../../../bench/lib/format.js';
import { benchFlags, machineLines } from '../../../bench/lib/machine.js';
import { printProfiles, profiled } from '../../../bench/lib/profile.js';
import { type Paired, paired, quantile, random, shuffled, sortedOf } from '../../../bench/lib/stats.js';
import { scriptedModel } from '../test/scripted-model.js';
import { FROM_DIST } from './adapter.js';
import { ownerOf } from './profile.js';
import { bindingOf, readTool, SHAPES, type Shape, signedManifest, sinkPaths } from './setup.js';
import {
  checkInvoke,
  checkRoundTrip,
  type RoundTrip,
  roundTrips,
  type Variant,
  variantsOf,
} from './variants.js';

const { quick: QUICK, profile: PROFILE } = benchFlags();
const ROUNDS = QUICK ? 40 : 1_500;
const WARMUP_ROUNDS = QUICK ? 5 : 100;
const TRIP_ROUNDS = QUICK ? 40 : 1_000;
const ISOLATED_MS = QUICK ? 300 : 2_000;
const PROFILE_CALLS = QUICK ? 500 : 20_000;
/** The target: ORBIT adds under 3% to the SDK's own cost per tool call. */
const TARGET = 0.03;
const CALLS = 10;

const started = performance.now();
let threadSeq = 0;

for (const line of machineLines('ORBIT Vercel AI SDK adapter benchmark')) console.log(line);
console.log(
  `${new Date().toISOString()}${QUICK ? ', --quick' : ''}; the adapter from its ${FROM_DIST ? 'build (dist/)' : 'source (src/, by tsx)'}\n`,
);

const manifest = await signedManifest();

// ---------------------------------------------------------------------------------------------------------
// Part 1: end to end, interleaved

/** One invoke on a fresh thread, timed on both clocks. What follows it (ending the run) is untimed. */
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
  `Part 1: ${WARMUP_ROUNDS} warm-up + ${ROUNDS} timed rounds, ${groups.length * groups[0]!.variants.length} invokes per round...`,
);
const part1Start = performance.now();
// Every round runs every variant of both shapes once, in a new random order: a rotated order would keep
// each variant behind the same neighbour (and its garbage) in every round.
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
  ['ORBIT, no sink, vs the zod tool (what an application sees)', 'sdk', 'orbit'],
  ['ORBIT, no sink (ORBIT’s own work: the target)', 'sdkOnce', 'orbit'],
  ['the SDK’s per-step zod → JSON Schema', 'sdkOnce', 'sdk'],
  ['ORBIT’s SDK hooks doing nothing (control)', 'sdkOnce', 'hooks'],
  ['ORBIT, no sink, vs the control', 'hooks', 'orbit'],
  ['ORBIT, MemorySink', 'sdkOnce', 'orbitMemory'],
  ['ORBIT, JSONL sink', 'sdkOnce', 'orbitJsonl'],
];
const verdict = (p: Paired) =>
  p.ratio < TARGET ? (p.high / p.base < TARGET ? 'pass' : 'pass (CI reaches 3%)') : 'FAIL';
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
console.log(`\nPart 1 (${seconds(part1Start)}): per tool call, µs (generateText time / ${CALLS} calls)\n`);
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
      '< 3%? (wall / CPU)',
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
  const [sdkZod, sdkOnce, orbit] = trips as [RoundTrip, RoundTrip, RoundTrip];
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
      [sdkZod, sdkOnce].map((sdk) => {
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
const isoModel = scriptedModel([]);
const { orbitAi } = bindingOf(manifest, 'none');
const INPUT: ModelMessage[] = [{ role: 'user', content: 'go' }];
const callsOf = (thread: number) =>
  Array.from({ length: CALLS }, (_, i) => ({
    toolName: 'read',
    toolCallId: `call-${thread}-${i}`,
    input: { id: `r${i}`, confidence: 0.99 } as unknown,
  }));
const executeOptions = (toolCallId: string) => ({ toolCallId, messages: INPUT, context: undefined as never });

/** 10 calls through `tool`: the SDK's input check (`inputSchema.validate`), then `execute`. */
async function tenCalls(
  tool: Tool,
  thread: number,
  decide?: (call: ReturnType<typeof callsOf>[0]) => unknown,
) {
  const schema = asSchema(tool.inputSchema as never);
  for (const call of callsOf(thread)) {
    const checked = await schema.validate!(call.input);
    if (!checked.success) throw checked.error;
    if (decide) await decide(call);
    const output = await tool.execute!(checked.value as never, executeOptions(call.toolCallId));
    if (output !== `ok ${(call.input as { id: string }).id}`)
      throw new Error(`bench setup: got ${String(output)}`);
  }
}

const orbitSettings = (threadId: string) =>
  orbitAi.settings({ threadId, model: isoModel, tools: { read: readTool }, messages: INPUT });

/** 10 calls through ORBIT's settings: `toolApproval` (ORBIT's decision), then the guarded `execute`. */
function orbitCalls(settings: ReturnType<typeof orbitSettings>) {
  return tenCalls(settings.tools.read!, threadSeq++, async (toolCall) => {
    if ((await settings.toolApproval({ toolCall, messages: INPUT })) !== 'not-applicable')
      throw new Error('bench setup: ORBIT did not let the call proceed');
  });
}

isolated
  .add('orbitAi.settings(), one tool, new thread', () => {
    const threadId = `iso-${threadSeq++}`;
    const start = nowNs();
    orbitSettings(threadId);
    const ns = Number(nowNs() - start);
    // The sample is settings() alone; ending the run counts in the time budget only.
    return orbitAi.endRun(threadId).then(() => ({
      overriddenDuration: ns / 1e6,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    }));
  })
  .add('SDK input check + plain execute (baseline)', async () => {
    const start = nowNs();
    await tenCalls(readTool, threadSeq++);
    return { overriddenDuration: Number(nowNs() - start) / 1e6 / CALLS };
  })
  .add('ORBIT toolApproval + guarded execute', async () => {
    const threadId = `iso-${threadSeq++}`;
    const settings = orbitSettings(threadId);
    const start = nowNs();
    await orbitCalls(settings);
    const timed = nowNs();
    await orbitAi.endRun(threadId);
    return {
      overriddenDuration: Number(timed - start) / 1e6 / CALLS,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    };
  })
  .add('orbitAi.endRun(), a run of 10 calls', async () => {
    const threadId = `iso-${threadSeq++}`;
    const start = nowNs();
    await orbitCalls(orbitSettings(threadId));
    const ending = nowNs();
    await orbitAi.endRun(threadId);
    return {
      overriddenDuration: Number(nowNs() - ending) / 1e6,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    };
  });
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
const settingsUs = latencyOf('orbitAi.settings(), one tool, new thread').p50! * 1e6;
const perCallUs =
  latencyOf('ORBIT toolApproval + guarded execute').p50! * 1e6 -
  latencyOf('SDK input check + plain execute (baseline)').p50! * 1e6;
console.log(
  `\nORBIT, hot: ${us(settingsUs, 2)} µs per generateText (settings()) + ${us(perCallUs, 2)} µs per tool call; ` +
    `per tool call with one generateText of 10 calls: ${us(settingsUs / CALLS + perCallUs, 2)} µs.`,
);

// ---------------------------------------------------------------------------------------------------------
// Part 4: CPU profiles of the ORBIT variant (no sink), both shapes, and of part 3's ORBIT calls

if (PROFILE) {
  const part4Start = performance.now();
  console.log('\nPart 4: CPU profiles (node:inspector, 100 µs sampling), generateText + ORBIT, no sink;');
  console.log('share of the samples (idle excluded) and µs per tool call\n');
  const summaries = [];
  for (const { shape, variants } of groups) {
    const variant = variants.find((v) => v.key === 'orbit')!;
    const threads = Array.from({ length: PROFILE_CALLS / shape.calls }, () => `profile-${threadSeq++}`);
    summaries.push(
      await profiled(shape.name, PROFILE_CALLS, ownerOf, async () => {
        for (const threadId of threads) await variant.invoke(threadId);
      }),
    );
    // Ending the runs is left out of the profile, as it is untimed in part 1.
    for (const threadId of threads) await variant.after(threadId);
  }
  // ORBIT's per-call path alone, hot (part 3's task, with settings() once per 10 calls): its frames, without the SDK's.
  // Ten times the calls: each costs a tenth of an end-to-end one, and the profile needs as many samples.
  const threads = Array.from({ length: PROFILE_CALLS }, () => `profile-${threadSeq++}`);
  summaries.push(
    await profiled('isolated calls', PROFILE_CALLS * CALLS, ownerOf, async () => {
      for (const threadId of threads) await orbitCalls(orbitSettings(threadId));
    }),
  );
  for (const threadId of threads) await orbitAi.endRun(threadId);
  printProfiles(summaries);
  console.log(`(part 4: ${seconds(part4Start)})`);
}

for (const { variants } of groups)
  for (const { sink } of variants) if (sink instanceof JsonlFileSink) sink.close();
for (const path of sinkPaths) rmSync(path, { force: true });
console.log(`\nTotal ${seconds(started)}.`);
