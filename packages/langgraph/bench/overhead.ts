/**
 * What ORBIT adds to a LangChain / LangGraph agent's tool call, next to what LangChain itself costs per tool
 * call, in the same process and the same run. Results and method: BENCHMARKS.md.
 *
 * Run: `pnpm --filter @orbit-agents/langgraph bench` (tsx, on the Node of the root `node` devDependency).
 * Options: `--quick` (fewer rounds), `--smoke` (a few iterations of every part, seconds: its numbers mean
 * nothing), `--no-profile` (skip part 4), `--dist` (the adapter's build, `pnpm build` first, instead of its
 * source: see adapter.ts), `--json <file>` (part 1's figures and the target's, for bench/parts/adapters.ts),
 * `--end-to-end-only` (part 1 alone).
 *
 * 1. End to end. A `createAgent` agent over a scripted model (`ScriptedChatModel`: replay-safe, no network)
 *    and one trivial tool, `MemorySaver` checkpointer, in two shapes: one turn of 10 parallel calls, and 10
 *    turns of one call. Variants: LangChain alone; with a pass-through middleware (the control: LangChain's
 *    own middleware plumbing); with the ORBIT middleware (no audit sink); with it and a `JsonlFileSink`; a
 *    hand-built `StateGraph` with a plain `ToolNode`, and with `orbitLg.toolNode` (its guarded tools
 *    return LangChain's own `ToolMessage`, so the two are like for like). One sample is one `invoke` on a fresh thread; per tool
 *    call = its time / 10. Each round runs every variant once, in an order rotated every round, so drift and
 *    GC land on all alike; ORBIT's added cost is the median of the per-round differences (ORBIT minus its
 *    baseline, same round), with a bootstrap 95% interval.
 * 2. In place: the time inside ORBIT's `wrapToolCall` / `wrapModelCall` minus the handler they call, in a
 *    real agent (10 turns of one call), next to a pass-through middleware timed the same way (the floor).
 * 3. Isolated (tinybench): the middleware's `wrapToolCall` around a handler that returns at once, against
 *    the handler alone; a guarded tool's `invoke` against the plain tool's. 10 calls per fresh run.
 *    3b: the same call timed alone with 0, 8 or 32 MiB of memory written between calls: cold caches.
 * 4. CPU profiles (node:inspector) of the ORBIT middleware agent in both shapes: samples by nearest owner
 *    frame (ORBIT, LangChain/LangGraph, GC), and the top ORBIT frames.
 */
import { rmSync, truncateSync } from 'node:fs';
import type { ToolMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { Bench } from 'tinybench';
import { addedFigures, seriesFigures, writeAdapterReport } from '../../../bench/lib/adapter-report.js';
import { nowNs } from '../../../bench/lib/clock.js';
import { pct, table, us } from '../../../bench/lib/format.js';
import { isolatedOptions } from '../../../bench/lib/isolated.js';
import { benchFlags, bySize, machineLines } from '../../../bench/lib/machine.js';
import { type ProfileSummary, printProfiles, profiled } from '../../../bench/lib/profile.js';
import { median, paired, quantile, sortedOf } from '../../../bench/lib/stats.js';
import { FROM_DIST } from './adapter.js';
import { instrumentedAgent, type Windows } from './in-place.js';
import { callsOf, handler, middlewareCall, prebuilt, tenCalls } from './isolated.js';
import { ownerOf } from './profile.js';
import {
  bindingOf,
  CALLS,
  checkAuditFile,
  checkResult,
  INPUT,
  jsonlSinks,
  passThrough,
  readTool,
  SHAPES,
  sinkPath,
  type Variant,
  variantsOf,
} from './setup.js';

const { size, smoke: SMOKE, profile: PROFILE, json: JSON_FILE, endToEndOnly: END_TO_END_ONLY } = benchFlags();
/** Rounds of part 1 (each: one invoke per variant and shape), after WARMUP_ROUNDS untimed ones. */
const ROUNDS = bySize(size, { full: 600, quick: 30, smoke: 3 });
const WARMUP_ROUNDS = bySize(size, { full: 40, quick: 5, smoke: 1 });
/** Invokes of the instrumented agent (part 2), after IN_PLACE_WARMUP untimed ones. */
const IN_PLACE_INVOKES = bySize(size, { full: 300, quick: 30, smoke: 3 });
const IN_PLACE_WARMUP = bySize(size, { full: 20, quick: 20, smoke: 2 });
/** tinybench time per task (part 3), ms. */
const ISOLATED_MS = bySize(size, { full: 2_000, quick: 300, smoke: 5 });
/** Profiled invokes (part 4). */
const PROFILE_INVOKES = bySize(size, { full: 600, quick: 50, smoke: 6 });
/** The issue's target: ORBIT adds under 1% to LangChain's own cost per tool call. */
const TARGET = 0.01;
/** Part 1's row the target is about. */
const TARGET_ROW = 'ORBIT middleware, no sink';
const started = performance.now();

let threadSeq = 0;

/** One invoke on a fresh thread; returns its time in ns. Ending the ORBIT run and dropping the thread is untimed. */
async function timedInvoke(variant: Variant, check = false): Promise<number> {
  const config = { configurable: { thread_id: `${variant.key}-${threadSeq++}` } };
  const start = nowNs();
  const result = await variant.invoke(config);
  const ns = Number(nowNs() - start);
  if (check) checkResult(variant.label, result);
  await variant.binding?.endRun(config);
  await variant.checkpointer.deleteThread(config.configurable.thread_id);
  return ns;
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: end to end, interleaved

for (const line of machineLines('ORBIT LangGraph adapter benchmark')) console.log(line);
console.log(
  `${new Date().toISOString()}${size === 'full' ? '' : `, --${size}`}; the adapter from its ${FROM_DIST ? 'build (dist/)' : 'source (src/, by tsx)'}\n`,
);

const groups = SHAPES.map((shape) => ({ shape, variants: variantsOf(shape) }));
for (const { variants } of groups) for (const variant of variants) await timedInvoke(variant, true);
checkAuditFile();

console.log(
  `Part 1: ${WARMUP_ROUNDS} warm-up + ${ROUNDS} timed rounds, ${groups.length * groups[0]!.variants.length} invokes per round...`,
);
const part1Start = performance.now();
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  for (const { variants } of groups) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length]!;
      const ns = await timedInvoke(variant);
      if (round >= WARMUP_ROUNDS) variant.samples.push(ns / CALLS);
    }
  }
  // Keep the audit file small (untimed): the append-mode descriptor goes on writing at the new end.
  if (round % 50 === 49) truncateSync(sinkPath, 0);
}
const part1Seconds = (performance.now() - part1Start) / 1000;

interface Comparison {
  shape: string;
  label: string;
  baseline: Variant;
  orbit: Variant;
}

const comparisons: Comparison[] = groups.flatMap(({ shape, variants }) => {
  const by = (key: Variant['key']) => variants.find((variant) => variant.key === key)!;
  return [
    { shape: shape.name, label: TARGET_ROW, baseline: by('lc'), orbit: by('orbit') },
    { shape: shape.name, label: 'pass-through middleware (control)', baseline: by('lc'), orbit: by('noop') },
    {
      shape: shape.name,
      label: 'ORBIT middleware vs pass-through',
      baseline: by('noop'),
      orbit: by('orbit'),
    },
    { shape: shape.name, label: 'ORBIT middleware, JSONL sink', baseline: by('lc'), orbit: by('orbitJsonl') },
    { shape: shape.name, label: 'orbitLg.toolNode (graph)', baseline: by('graph'), orbit: by('graphOrbit') },
  ];
});

const perVariantRows = groups.flatMap(({ shape, variants }) =>
  variants.map((variant) => {
    const sorted = sortedOf(variant.samples);
    return [
      shape.name,
      variant.label,
      us(quantile(sorted, 0.5)),
      us(quantile(sorted, 0.95)),
      String(sorted.length),
    ];
  }),
);

const pairedOf = comparisons.map(({ baseline, orbit }) => paired(baseline.samples, orbit.samples));
const comparedFigures = comparisons.map(({ shape, label, baseline, orbit }, i) => ({
  shape,
  label,
  baseline: baseline.key,
  variant: orbit.key,
  wall: addedFigures(pairedOf[i]!),
}));
const comparisonRows = comparisons.map(({ shape, label }, i) => {
  const { base, withOrbit, added, low, high, ratio } = pairedOf[i]!;
  const verdict = ratio < TARGET ? (high / base < TARGET ? 'pass' : 'pass (interval reaches 1%)') : 'FAIL';
  return [shape, label, us(base), us(withOrbit), us(added), `${us(low)} to ${us(high)}`, pct(ratio), verdict];
});

console.log(`\nPart 1 (${part1Seconds.toFixed(0)} s): per tool call, µs (invoke time / ${CALLS} calls)\n`);
console.log(table(['shape', 'variant', 'median µs', 'p95 µs', 'samples'], perVariantRows));
console.log(
  '\nORBIT added per tool call: median of the per-round differences against the baseline of the same round\n',
);
console.log(
  table(
    ['shape', 'ORBIT variant', 'baseline µs', 'with ORBIT µs', 'added µs', '95% CI µs', 'added %', '< 1%?'],
    comparisonRows,
  ),
);

/** The run's end: the audit files closed and removed, part 1's figures written (`--json`), the total time. */
function finish(): void {
  for (const sink of jsonlSinks) sink.close();
  rmSync(sinkPath, { force: true });
  writeAdapterReport(JSON_FILE, {
    bench: '@orbit-agents/langgraph',
    size,
    adapter: FROM_DIST ? 'dist' : 'src',
    rounds: ROUNDS,
    target: { ratio: TARGET, label: TARGET_ROW, clock: 'wall' },
    variants: groups.flatMap(({ shape, variants }) =>
      variants.map(({ key, label, samples }) => ({
        shape: shape.name,
        key,
        label,
        wall: seriesFigures(samples),
      })),
    ),
    comparisons: comparedFigures,
  });
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

// `--end-to-end-only`: part 1 is all that `--json` reports (bench/parts/adapters.ts); parts 2 to 4 are skipped.
if (END_TO_END_ONLY) {
  finish();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: in place. The time inside a middleware's hooks minus the time in the handler it calls, for ORBIT's
// middleware and, measured the same way, the pass-through one (the floor: the measurement itself, and other
// tasks' microtasks run at an await). 10 turns × 1 call: one tool call at a time.

const part2Start = performance.now();

const inPlaceBinding = bindingOf(false);
const inPlace = {
  orbit: { tool: [], model: [] } as Windows,
  passThrough: { tool: [], model: [] } as Windows,
};
{
  const agents = [
    { ...instrumentedAgent(inPlaceBinding.middleware(), inPlace.orbit), binding: inPlaceBinding },
    { ...instrumentedAgent(passThrough, inPlace.passThrough), binding: undefined },
  ];
  for (let i = 0; i < IN_PLACE_INVOKES + IN_PLACE_WARMUP; i++) {
    if (i === IN_PLACE_WARMUP) {
      for (const windows of Object.values(inPlace)) {
        windows.tool.length = 0;
        windows.model.length = 0;
      }
    }
    for (const { agent, checkpointer, binding } of i % 2 ? agents : [...agents].reverse()) {
      const config = { configurable: { thread_id: `in-place-${threadSeq++}` } };
      await agent.invoke(INPUT, config);
      await binding?.endRun(config);
      await checkpointer.deleteThread(config.configurable.thread_id);
    }
  }
}
const inPlaceRows = (['tool', 'model'] as const).flatMap((hook) => {
  const orbit = inPlace.orbit[hook];
  const floor = inPlace.passThrough[hook];
  const row = (what: string, values: number[]) => {
    const sorted = sortedOf(values);
    return [
      what,
      us(quantile(sorted, 0.5)),
      us(quantile(sorted, 0.95)),
      values.length.toLocaleString('en-US'),
    ];
  };
  const name = hook === 'tool' ? 'wrapToolCall' : 'wrapModelCall';
  return [
    row(`ORBIT ${name}`, orbit),
    ...(hook === 'tool'
      ? [
          row(
            '  its first call of a run (takes up the run)',
            orbit.filter((_, i) => i % CALLS === 0),
          ),
          row(
            '  its other calls',
            orbit.filter((_, i) => i % CALLS !== 0),
          ),
        ]
      : []),
    row(`pass-through ${name} (floor)`, floor),
  ];
});
const inPlaceAdded = {
  tool: median(inPlace.orbit.tool) - median(inPlace.passThrough.tool),
  model: median(inPlace.orbit.model) - median(inPlace.passThrough.model),
};
console.log(
  `\nPart 2: in place, 10 turns × 1 call, ${IN_PLACE_INVOKES} invokes each: time in the hook minus time in its handler, µs\n`,
);
console.log(table(['hook', 'median µs', 'p95 µs', 'samples'], inPlaceRows));
console.log(
  `\nORBIT in place, above the floor: ${us(inPlaceAdded.tool)} µs per tool call, ${us(inPlaceAdded.model)} µs per model call ` +
    `(${us(inPlaceAdded.tool + (inPlaceAdded.model * (CALLS + 1)) / CALLS)} µs per tool call in this shape, 11 model calls per 10 tool calls).`,
);

// ---------------------------------------------------------------------------------------------------------
// Part 3: isolated, tinybench. One sample: 10 calls on a fresh run (thread), timed; the run is ended untimed.

console.log(`(part 2: ${((performance.now() - part2Start) / 1000).toFixed(0)} s)`);
const part3Start = performance.now();
const isolatedBench = new Bench(isolatedOptions(ISOLATED_MS, SMOKE));
const isoPlain = bindingOf(false);
const isoJsonl = bindingOf(true);
const isoTools = bindingOf(false);
const [guardedRead] = isoTools.guardTools([readTool]) as [StructuredToolInterface];
isolatedBench
  .add(
    'handler alone (baseline)',
    tenCalls(async () => handler()),
    { async: true },
  )
  .add('middleware wrapToolCall, no sink', tenCalls(middlewareCall(isoPlain), isoPlain), { async: true })
  .add('middleware wrapToolCall, JSONL sink', tenCalls(middlewareCall(isoJsonl), isoJsonl), { async: true })
  .add(
    'plain tool.invoke(toolCall) (baseline)',
    tenCalls((toolCall, config) => readTool.invoke(toolCall, config)),
    { async: true },
  )
  .add(
    'guardTools tool.invoke(toolCall)',
    tenCalls((toolCall, config) => guardedRead.invoke(toolCall, config), isoTools),
    { async: true },
  );
// Sanity: the guarded paths run the tool.
{
  const config = { configurable: { thread_id: 'iso-check' } };
  const [first] = callsOf(-1);
  const viaMiddleware = await middlewareCall(isoPlain)(first!, config);
  const viaTool = (await guardedRead.invoke(first!, config)) as ToolMessage;
  if (viaMiddleware !== prebuilt || viaTool.content !== 'ok r0' || viaTool.status === 'error') {
    throw new Error(`bench setup: isolated calls did not run: ${String(viaTool.content)}`);
  }
  await isoPlain.endRun(config);
  await isoTools.endRun(config);
}
await isolatedBench.run();
const isolatedMedian = (name: string) => {
  const result = isolatedBench.getTask(name)!.result;
  if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
  return result.latency;
};
const isolatedRows = isolatedBench.tasks.map((task) => {
  const latency = isolatedMedian(task.name);
  return [
    task.name,
    us(latency.p50! * 1e6, 2),
    us(latency.p99! * 1e6, 2),
    latency.samplesCount.toLocaleString('en-US'),
  ];
});
const handlerMedian = isolatedMedian('handler alone (baseline)').p50! * 1e6;
const plainToolMedian = isolatedMedian('plain tool.invoke(toolCall) (baseline)').p50! * 1e6;
const isolatedAdded = {
  middleware: isolatedMedian('middleware wrapToolCall, no sink').p50! * 1e6 - handlerMedian,
  middlewareJsonl: isolatedMedian('middleware wrapToolCall, JSONL sink').p50! * 1e6 - handlerMedian,
  guardedTool: isolatedMedian('guardTools tool.invoke(toolCall)').p50! * 1e6 - plainToolMedian,
};
console.log(
  `\nPart 3: isolated (tinybench, ${ISOLATED_MS} ms per task; one sample = mean of ${CALLS} calls on a fresh run)\n`,
);
console.log(table(['task', 'median µs/call', 'p99 µs/call', 'samples'], isolatedRows));
console.log(
  `\nORBIT added, isolated: middleware ${us(isolatedAdded.middleware, 2)} µs (no sink), ` +
    `${us(isolatedAdded.middlewareJsonl, 2)} µs (JSONL); guarded tool ${us(isolatedAdded.guardedTool, 2)} µs per call.`,
);

// Part 3b: the same middleware call, cold. Between calls (untimed) the bench writes over a buffer larger than
// the L2 cache, as a LangChain step does between two tool calls; each call is timed alone.

const COLD_MB = [0, 8, 32];
const COLD_CALLS = bySize(size, { full: 3_000, quick: 300, smoke: 20 });
const coldRows: string[][] = [];
{
  const binding = bindingOf(false);
  const wrap = middlewareCall(binding);
  let buffer = new Float64Array(0);
  let checksum = 0;
  const evict = () => {
    for (let i = 0; i < buffer.length; i += 8) buffer[i]! += 1;
    checksum += buffer[0] ?? 0;
  };
  for (const mb of COLD_MB) {
    buffer = new Float64Array((mb * 2 ** 20) / 8);
    const times = { handler: [] as number[], middleware: [] as number[] };
    for (let n = 0; n < COLD_CALLS / CALLS; n++) {
      const config = { configurable: { thread_id: `cold-${threadSeq++}` } };
      for (const toolCall of callsOf(n)) {
        evict();
        let start = nowNs();
        await handler();
        times.handler.push(Number(nowNs() - start));
        evict();
        start = nowNs();
        await wrap(toolCall, config);
        times.middleware.push(Number(nowNs() - start));
      }
      await binding.endRun(config);
    }
    const added = median(times.middleware) - median(times.handler);
    coldRows.push([
      mb === 0 ? 'none (hot)' : `${mb} MiB`,
      us(median(times.handler), 2),
      us(median(times.middleware), 2),
      us(quantile(sortedOf(times.middleware), 0.95), 2),
      us(added, 2),
    ]);
  }
  if (checksum < 0) console.log(checksum);
}
console.log(
  `\nPart 3b: one middleware wrapToolCall (no sink) timed alone, ${COLD_CALLS} calls, with memory written between calls (untimed)\n`,
);
console.log(
  table(
    [
      'written between calls',
      'handler alone µs',
      'middleware median µs',
      'middleware p95 µs',
      'ORBIT added µs',
    ],
    coldRows,
  ),
);

// ---------------------------------------------------------------------------------------------------------
// Part 4: CPU profiles of the ORBIT middleware agent, both shapes

console.log(`(part 3: ${((performance.now() - part3Start) / 1000).toFixed(0)} s)`);
if (PROFILE) {
  const part4Start = performance.now();
  const summaries: ProfileSummary[] = [];
  for (const [index, { shape, variants }] of groups.entries()) {
    const variant = variants.find((v) => v.key === 'orbit')!;
    // The same number of tool calls' worth of time for both shapes (10 turns cost about 3× one).
    const invokes = index === 0 ? PROFILE_INVOKES : Math.round(PROFILE_INVOKES / 3);
    const configs = Array.from({ length: invokes }, () => ({
      configurable: { thread_id: `profile-${threadSeq++}` },
    }));
    summaries.push(
      await profiled(shape.name, invokes * CALLS, ownerOf, async () => {
        for (const config of configs) await variant.invoke(config);
      }),
    );
    // Ending the runs and dropping the threads is left out of the profile, as it is untimed in part 1.
    for (const config of configs) {
      await variant.binding!.endRun(config);
      await variant.checkpointer.deleteThread(config.configurable.thread_id);
    }
  }
  console.log(
    `\nPart 4: CPU profiles (node:inspector, 100 µs sampling), createAgent + ORBIT middleware, no sink; ` +
      `share of the samples (idle excluded) and µs per tool call\n`,
  );
  printProfiles(summaries);
  console.log(`(part 4: ${((performance.now() - part4Start) / 1000).toFixed(0)} s)`);
}

// ---------------------------------------------------------------------------------------------------------

finish();
