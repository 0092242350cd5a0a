/**
 * What ORBIT adds to an AI SDK tool call, next to what the AI SDK itself costs per tool call, in the same
 * process and the same run. Results and method: BENCHMARKS.md.
 *
 * Run: `pnpm --filter @orbit-agents/vercel-ai bench` (tsx, on the Node of the root `node` devDependency).
 * Options: `--quick` (fewer rounds), `--smoke` (a few iterations of every part, seconds: its numbers mean
 * nothing), `--no-profile` (skip part 4), `--dist` (the adapter's build, `pnpm build` first, instead of its
 * source: see adapter.ts), `--json <file>` (part 1's figures and the target's, for bench/parts/adapters.ts),
 * `--end-to-end-only` (part 1 alone).
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
import { asSchema, type ModelMessage, type Tool } from 'ai';
import { Bench } from 'tinybench';
import { writeAdapterReport } from '../../../bench/lib/adapter-report.js';
import { nowNs, secondsSince as seconds } from '../../../bench/lib/clock.js';
import { endToEnd } from '../../../bench/lib/end-to-end.js';
import { us } from '../../../bench/lib/format.js';
import { isolatedOptions, latencyOf, printIsolated } from '../../../bench/lib/isolated.js';
import { benchFlags, bySize, machineLines } from '../../../bench/lib/machine.js';
import { type ProfileSummary, printProfiles, profiledThreads } from '../../../bench/lib/profile.js';
import { roundTripsPart } from '../../../bench/lib/round-trips.js';
import { closeSinks } from '../../../bench/lib/sinks.js';
import { random } from '../../../bench/lib/stats.js';
import { freshThread, nextSeq } from '../../../bench/lib/threads.js';
import { scriptedModel } from '../test/scripted-model.js';
import { FROM_DIST } from './adapter.js';
import { ownerOf } from './profile.js';
import { bindingOf, readTool, SHAPES, signedManifest } from './setup.js';
import { checkInvoke, checkRoundTrip, roundTrips, variantsOf } from './variants.js';

const { size, smoke: SMOKE, profile: PROFILE, json: JSON_FILE, endToEndOnly: END_TO_END_ONLY } = benchFlags();
const ROUNDS = bySize(size, { full: 1_500, quick: 40, smoke: 3 });
const WARMUP_ROUNDS = bySize(size, { full: 100, quick: 5, smoke: 1 });
const TRIP_ROUNDS = bySize(size, { full: 1_000, quick: 40, smoke: 3 });
const ISOLATED_MS = bySize(size, { full: 2_000, quick: 300, smoke: 5 });
const PROFILE_CALLS = bySize(size, { full: 20_000, quick: 500, smoke: 40 });
/** The issue's target: ORBIT adds under 3% to the SDK's own cost per tool call. */
const TARGET = 0.03;
/** Part 1's row the target is about. */
const TARGET_ROW = 'ORBIT, no sink (ORBIT’s own work: the target)';
const CALLS = 10;

const started = performance.now();

for (const line of machineLines('ORBIT Vercel AI SDK adapter benchmark')) console.log(line);
console.log(
  `${new Date().toISOString()}${size === 'full' ? '' : `, --${size}`}; the adapter from its ${FROM_DIST ? 'build (dist/)' : 'source (src/, by tsx)'}\n`,
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
  invoke: 'generateText',
  invokes: 'invokes',
  check: checkInvoke,
  compared: [
    ['ORBIT, no sink, vs the zod tool (what an application sees)', 'sdk', 'orbit'],
    [TARGET_ROW, 'sdkOnce', 'orbit'],
    ['the SDK’s per-step zod → JSON Schema', 'sdkOnce', 'sdk'],
    ['ORBIT’s SDK hooks doing nothing (control)', 'sdkOnce', 'hooks'],
    ['ORBIT, no sink, vs the control', 'hooks', 'orbit'],
    ['ORBIT, MemorySink', 'sdkOnce', 'orbitMemory'],
    ['ORBIT, JSONL sink', 'sdkOnce', 'orbitJsonl'],
  ],
  target: TARGET,
});

/** The run's end: the audit files closed, part 1's figures written (`--json`), the total time. */
function finish(): void {
  closeSinks(groups.flatMap(({ variants }) => variants.map(({ sink }) => sink)));
  writeAdapterReport(JSON_FILE, {
    bench: '@orbit-agents/vercel-ai',
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
  return tenCalls(settings.tools.read!, nextSeq(), async (toolCall) => {
    if ((await settings.toolApproval({ toolCall, messages: INPUT })) !== 'not-applicable')
      throw new Error('bench setup: ORBIT did not let the call proceed');
  });
}

isolated
  .add('orbitAi.settings(), one tool, new thread', () => {
    const threadId = freshThread('iso');
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
    await tenCalls(readTool, nextSeq());
    return { overriddenDuration: Number(nowNs() - start) / 1e6 / CALLS };
  })
  .add('ORBIT toolApproval + guarded execute', async () => {
    const threadId = freshThread('iso');
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
    const threadId = freshThread('iso');
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
printIsolated(isolated, { ms: ISOLATED_MS, calls: CALLS, started: part3Start });
const settingsUs = latencyOf(isolated, 'orbitAi.settings(), one tool, new thread').p50! * 1e6;
const perCallUs =
  latencyOf(isolated, 'ORBIT toolApproval + guarded execute').p50! * 1e6 -
  latencyOf(isolated, 'SDK input check + plain execute (baseline)').p50! * 1e6;
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
  const summaries: ProfileSummary[] = [];
  for (const { shape, variants } of groups) {
    const { invoke, after } = variants.find((v) => v.key === 'orbit')!;
    const threads = PROFILE_CALLS / shape.calls;
    summaries.push(await profiledThreads(shape.name, threads, shape.calls, ownerOf, invoke, after));
  }
  // ORBIT's per-call path alone, hot (part 3's task, with settings() once per 10 calls): its frames, without the SDK's.
  // Ten times the calls: each costs a tenth of an end-to-end one, and the profile needs as many samples.
  summaries.push(
    await profiledThreads(
      'isolated calls',
      PROFILE_CALLS,
      CALLS,
      ownerOf,
      (threadId) => orbitCalls(orbitSettings(threadId)),
      (threadId) => orbitAi.endRun(threadId),
    ),
  );
  printProfiles(summaries);
  console.log(`(part 4: ${seconds(part4Start)})`);
}

finish();
