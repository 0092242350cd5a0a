/**
 * What ORBIT adds to a LangChain / LangGraph agent's tool call, next to what LangChain itself costs per tool
 * call, in the same process and the same run. Results and method: BENCHMARKS.md.
 *
 * Run: `pnpm --filter @orbit-agents/langgraph bench` (tsx, on the Node of the root `node` devDependency).
 * Options: `--quick` (fewer rounds, a smoke test), `--no-profile` (skip part 4).
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
import { readFileSync, rmSync, truncateSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { type BaseMessage, isAIMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { END, MemorySaver, MessagesAnnotation, Send, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { type AuditSink, createOrbit, JsonlFileSink, loadManifest } from '@orbit-agents/core';
import { createAgent, createMiddleware, tool } from 'langchain';
import { Bench } from 'tinybench';
import { z } from 'zod';
import { type OrbitLangGraph, orbitLangGraph } from '../src/index.js';
import { manifestOf, type ScriptedCall, ScriptedChatModel } from '../test/support.js';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const PROFILE = !args.has('--no-profile');
/** Rounds of part 1 (each: one invoke per variant and shape), after WARMUP_ROUNDS untimed ones. */
const ROUNDS = QUICK ? 30 : 600;
const WARMUP_ROUNDS = QUICK ? 5 : 40;
/** Invokes of the instrumented agent (part 2). */
const IN_PLACE_INVOKES = QUICK ? 30 : 300;
/** tinybench time per task (part 3), ms. */
const ISOLATED_MS = QUICK ? 300 : 2_000;
/** Profiled invokes (part 4). */
const PROFILE_INVOKES = QUICK ? 50 : 600;
const CALLS = 10;
const BOOTSTRAP = 2_000;

const nowNs = () => process.hrtime.bigint();
const started = performance.now();

// ---------------------------------------------------------------------------------------------------------
// Set-up

const manifest = await loadManifest({
  manifest: manifestOf(),
  allowUnsigned: true,
  logger: { warn() {} },
});
const sinkPath = join(tmpdir(), `orbit-lg-bench-${process.pid}.jsonl`);
const jsonlSinks: JsonlFileSink[] = [];

/** A fresh ORBIT binding; `jsonl`: with a hash-chained JSONL audit sink (all bindings share one file). */
function bindingOf(jsonl: boolean): OrbitLangGraph {
  let sink: AuditSink | undefined;
  if (jsonl) {
    const file = new JsonlFileSink(sinkPath);
    jsonlSinks.push(file);
    sink = file;
  }
  return orbitLangGraph(createOrbit({ manifest, sink }));
}

/** The trivial tool: `read` is `read_only` in the manifest; confidence 0.99 proceeds at maturity level 3. */
const readTool = tool(async ({ id }: { id: string }) => `ok ${id}`, {
  name: 'read',
  description: 'Reads a record',
  schema: z.object({ id: z.string(), confidence: z.number().optional() }),
});

interface Shape {
  name: string;
  turns: ScriptedCall[][];
}

function shapeOf(turns: number, perTurn: number): Shape {
  return {
    name: turns === 1 ? `1 turn × ${perTurn} calls` : `${turns} turns × ${perTurn} call`,
    turns: Array.from({ length: turns }, (_, t) =>
      Array.from({ length: perTurn }, (_, i) => ({
        name: 'read',
        args: { id: `r${t}-${i}`, confidence: 0.99 },
        id: `call-${t}-${i}`,
      })),
    ),
  };
}

const SHAPES = [shapeOf(1, CALLS), shapeOf(CALLS, 1)];
const INPUT = { messages: [{ role: 'user', content: 'go' }] };

type Invoke = (config: { configurable: { thread_id: string } }) => Promise<{ messages: BaseMessage[] }>;

interface Variant {
  key: 'lc' | 'noop' | 'orbit' | 'orbitJsonl' | 'graph' | 'graphOrbit';
  label: string;
  invoke: Invoke;
  checkpointer: MemorySaver;
  binding?: OrbitLangGraph;
  /** Per tool call, ns, one per timed round. */
  samples: number[];
}

/** The same pending-calls edge as `orbitLg.routeToolCalls()`, for the graph without ORBIT. */
function sendEach(state: { messages: BaseMessage[] }): Send[] | string {
  const last = state.messages.at(-1);
  const calls = last && isAIMessage(last) ? (last.tool_calls ?? []) : [];
  if (calls.length === 0) return END;
  return calls.map((call) => new Send('tools', { ...state, lg_tool_call: call }));
}

/** A hand-built ReAct graph: model node, one `Send` per tool call to a `ToolNode`, back to the model. */
function graphOf(shape: Shape, checkpointer: MemorySaver, binding?: OrbitLangGraph): Invoke {
  const model = new ScriptedChatModel(shape.turns);
  const toolNode = binding
    ? binding.toolNode([readTool])
    : new ToolNode([readTool], { handleToolErrors: false });
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state, config) => {
      const message = await model.invoke(state.messages);
      binding?.recordUsage(message, config);
      return { messages: [message] };
    })
    .addNode('tools', toolNode)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', binding ? binding.routeToolCalls() : sendEach, ['tools', END])
    .addEdge('tools', 'agent')
    .compile({ checkpointer });
  return (config) => graph.invoke(INPUT, config) as Promise<{ messages: BaseMessage[] }>;
}

function agentOf(shape: Shape, checkpointer: MemorySaver, binding?: OrbitLangGraph): Invoke {
  const agent = createAgent({
    model: new ScriptedChatModel(shape.turns),
    tools: [readTool],
    checkpointer,
    ...(binding ? { middleware: [binding.middleware()] } : {}),
  });
  return (config) => agent.invoke(INPUT, config);
}

/** The control: a middleware with the same two hooks as ORBIT's, doing nothing but call on. */
const passThrough = createMiddleware({
  name: 'PassThrough',
  wrapToolCall: (request, handler) => handler(request),
  wrapModelCall: (request, handler) => handler(request),
});

function passThroughAgentOf(shape: Shape, checkpointer: MemorySaver): Invoke {
  const agent = createAgent({
    model: new ScriptedChatModel(shape.turns),
    tools: [readTool],
    checkpointer,
    middleware: [passThrough],
  });
  return (config) => agent.invoke(INPUT, config);
}

function variantsOf(shape: Shape): Variant[] {
  const make = (
    key: Variant['key'],
    label: string,
    build: typeof agentOf,
    binding?: OrbitLangGraph,
  ): Variant => {
    const checkpointer = new MemorySaver();
    return { key, label, invoke: build(shape, checkpointer, binding), checkpointer, binding, samples: [] };
  };
  return [
    make('lc', 'createAgent (LangChain alone)', agentOf),
    make('noop', 'createAgent + pass-through middleware', passThroughAgentOf),
    make('orbit', 'createAgent + ORBIT middleware, no sink', agentOf, bindingOf(false)),
    make('orbitJsonl', 'createAgent + ORBIT middleware, JSONL sink', agentOf, bindingOf(true)),
    make('graph', 'StateGraph + ToolNode (LangGraph alone)', graphOf),
    make('graphOrbit', 'StateGraph + orbitLg.toolNode', graphOf, bindingOf(false)),
  ];
}

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

/** Every call ran the tool (nothing refused, paused or failed) and the agent finished. */
function checkResult(label: string, result: { messages: BaseMessage[] } & { __interrupt__?: unknown }): void {
  const tools = result.messages.filter((message) => message.getType() === 'tool') as ToolMessage[];
  const ok =
    result.__interrupt__ === undefined &&
    tools.length === CALLS &&
    tools.every((message) => message.status !== 'error' && String(message.content).startsWith('ok r')) &&
    result.messages.at(-1)?.content === 'done';
  if (!ok)
    throw new Error(
      `bench setup: ${label} did not run its ${CALLS} calls: ${JSON.stringify(result.messages)}`,
    );
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

const sortedOf = (values: readonly number[]) => [...values].sort((a, b) => a - b);
const median = (values: readonly number[]) => quantile(sortedOf(values), 0.5);

/** A deterministic PRNG (mulberry32), so the bootstrap is repeatable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Percentile bootstrap 95% interval of the median. */
function bootstrapMedian(values: readonly number[]): [number, number] {
  const next = random(42);
  const medians: number[] = [];
  const resample = new Array<number>(values.length);
  for (let b = 0; b < BOOTSTRAP; b++) {
    for (let i = 0; i < values.length; i++) resample[i] = values[Math.floor(next() * values.length)]!;
    medians.push(median(resample));
  }
  const sorted = sortedOf(medians);
  return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
}

const us = (ns: number, digits = 1) =>
  (ns / 1e3).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: end to end, interleaved

console.log(`ORBIT LangGraph adapter benchmark: Node ${process.version} (${process.execPath})`);
console.log(
  `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
);
console.log(`${new Date().toISOString()}${QUICK ? ', --quick' : ''}\n`);

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
    { shape: shape.name, label: 'ORBIT middleware, no sink', baseline: by('lc'), orbit: by('orbit') },
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

const comparisonRows = comparisons.map(({ shape, label, baseline, orbit }) => {
  const diffs = orbit.samples.map((value, i) => value - baseline.samples[i]!);
  const added = median(diffs);
  const [low, high] = bootstrapMedian(diffs);
  const base = median(baseline.samples);
  const ratio = added / base;
  const verdict = ratio < 0.01 ? (high / base < 0.01 ? 'pass' : 'pass (interval reaches 1%)') : 'FAIL';
  return [
    shape,
    label,
    us(base),
    us(median(orbit.samples)),
    us(added),
    `${us(low)} to ${us(high)}`,
    pct(ratio),
    verdict,
  ];
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

// ---------------------------------------------------------------------------------------------------------
// Part 2: in place. The time inside a middleware's hooks minus the time in the handler it calls, for ORBIT's
// middleware and, measured the same way, the pass-through one (the floor: the measurement itself, and other
// tasks' microtasks run at an await). 10 turns × 1 call: one tool call at a time.

const part2Start = performance.now();

interface Windows {
  tool: number[];
  model: number[];
}

/** Times a hook: its whole time minus the time its handler took. */
function timedHook<Request, Result>(
  hook: (request: Request, handler: (request: Request) => Promise<Result>) => Promise<Result>,
  into: number[],
) {
  return async (request: Request, handler: (request: Request) => Promise<Result>): Promise<Result> => {
    let inHandler = 0n;
    const start = nowNs();
    const result = await hook(request, async (inner) => {
      const entered = nowNs();
      try {
        return await handler(inner);
      } finally {
        inHandler += nowNs() - entered;
      }
    });
    into.push(Number(nowNs() - start - inHandler));
    return result;
  };
}

function instrumentedAgent(
  middleware: { wrapToolCall?: unknown; wrapModelCall?: unknown },
  windows: Windows,
) {
  const checkpointer = new MemorySaver();
  const measured = createMiddleware({
    name: 'Measured',
    wrapToolCall: timedHook(middleware.wrapToolCall as never, windows.tool) as never,
    wrapModelCall: timedHook(middleware.wrapModelCall as never, windows.model) as never,
  });
  const agent = createAgent({
    model: new ScriptedChatModel(SHAPES[1]!.turns),
    tools: [readTool],
    checkpointer,
    middleware: [measured],
  });
  return { agent, checkpointer };
}

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
  for (let i = 0; i < IN_PLACE_INVOKES + 20; i++) {
    if (i === 20) {
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
const isolatedBench = new Bench({
  time: ISOLATED_MS,
  warmupTime: 300,
  timestampProvider: 'hrtimeNow',
  throws: true,
});
const prebuilt = new ToolMessage({ content: 'ok', tool_call_id: 'x', name: 'read' });
const handler = async () => prebuilt;
const callsOf = (thread: number): ToolCall[] =>
  Array.from({ length: CALLS }, (_, i) => ({
    name: 'read',
    args: { id: `r${i}`, confidence: 0.99 },
    id: `call-${thread}-${i}`,
    type: 'tool_call' as const,
  }));
let isolatedThread = 0;

/** A tinybench task timing CALLS sequential calls on a fresh thread; the sample is the mean per call. */
function tenCalls(
  call: (toolCall: ToolCall, config: { configurable: { thread_id: string } }) => unknown,
  binding?: OrbitLangGraph,
) {
  return async () => {
    const thread = isolatedThread++;
    const config = { configurable: { thread_id: `iso-${thread}` } };
    const calls = callsOf(thread);
    const start = nowNs();
    for (const toolCall of calls) await call(toolCall, config);
    const timed = nowNs();
    await binding?.endRun(config);
    // The sample is the timed calls' mean; the time budget counts everything, ending the run too.
    return {
      overriddenDuration: Number(timed - start) / 1e6 / CALLS,
      overriddenIterationCost: Number(nowNs() - start) / 1e6,
    };
  };
}

function middlewareCall(binding: OrbitLangGraph) {
  const wrap = binding.middleware().wrapToolCall!;
  return (toolCall: ToolCall, config: { configurable: { thread_id: string } }) =>
    wrap(
      {
        toolCall,
        tool: readTool,
        state: { messages: [] },
        runtime: { ...config, context: undefined },
      } as never,
      handler,
    );
}

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
const COLD_CALLS = QUICK ? 300 : 3_000;
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
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const summaries: ProfileSummary[] = [];
  for (const [index, { shape, variants }] of groups.entries()) {
    const variant = variants.find((v) => v.key === 'orbit')!;
    // The same number of tool calls' worth of time for both shapes (10 turns cost about 3× one).
    const invokes = index === 0 ? PROFILE_INVOKES : Math.round(PROFILE_INVOKES / 3);
    const configs = Array.from({ length: invokes }, () => ({
      configurable: { thread_id: `profile-${threadSeq++}` },
    }));
    await session.post('Profiler.start');
    for (const config of configs) await variant.invoke(config);
    const { profile } = await session.post('Profiler.stop');
    // Ending the runs and dropping the threads is left out of the profile, as it is untimed in part 1.
    for (const config of configs) {
      await variant.binding!.endRun(config);
      await variant.checkpointer.deleteThread(config.configurable.thread_id);
    }
    summaries.push(summarizeProfile(profile, shape.name, invokes * CALLS));
  }
  session.disconnect();
  printProfiles(summaries);
  console.log(`(part 4: ${((performance.now() - part4Start) / 1000).toFixed(0)} s)`);
}

// ---------------------------------------------------------------------------------------------------------

for (const sink of jsonlSinks) sink.close();
rmSync(sinkPath, { force: true });
console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s.`);

/** After the checked invokes: the JSONL file has a `proceed` decision for every call, and nothing else decided. */
function checkAuditFile(): void {
  for (const sink of jsonlSinks) sink.flush();
  const events = readFileSync(sinkPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; decision?: string });
  const decisions = events.filter((event) => event.event === 'decision');
  if (decisions.length !== SHAPES.length * CALLS || decisions.some((event) => event.decision !== 'proceed')) {
    throw new Error(
      `bench setup: expected ${SHAPES.length * CALLS} proceed decisions, got ${JSON.stringify(decisions)}`,
    );
  }
}

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};

interface ProfileSummary {
  shape: string;
  calls: number;
  /** µs of samples, idle and the profiler's own stop request excluded. */
  total: number;
  owners: Map<string, number>;
  orbitFrames: Map<string, number>;
  orbitLeaves: Map<string, number>;
}

/**
 * Each sample goes to the nearest frame on its stack (from the leaf up) that belongs to ORBIT (core or this
 * adapter), to LangChain/LangGraph (with LangSmith and Node's web streams, which LangGraph's invoke reads),
 * or to the bench's scripted model; zod, Node internals and builtins are passed over (they are charged to
 * whoever called them). GC and "(program)" samples stay apart.
 */
function summarizeProfile(
  profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] },
  shape: string,
  calls: number,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ownerOf = (url: string): string | undefined => {
    if (url.includes('/packages/core/') || url.includes('/packages/langgraph/src/')) return 'ORBIT';
    if (url.includes('/packages/langgraph/test/')) return 'scripted model';
    if (
      url.includes('@langchain') ||
      url.includes('/langchain/') ||
      url.includes('/langsmith/') ||
      url.startsWith('node:internal/webstreams')
    ) {
      return 'LangChain/LangGraph';
    }
    return undefined;
  };
  const onStack = (from: number, test: (url: string) => boolean) => {
    for (let id: number | undefined = from; id !== undefined; id = parent.get(id)) {
      if (test(byId.get(id)!.callFrame.url)) return true;
    }
    return false;
  };
  const summary: ProfileSummary = {
    shape,
    calls,
    total: 0,
    owners: new Map(),
    orbitFrames: new Map(),
    orbitLeaves: new Map(),
  };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const us = Math.max(0, deltas[i] ?? 0);
    const leaf = byId.get(samples[i]!)!;
    const name = leaf.callFrame.functionName;
    // Idle, and the profiler's own stop request (its sample carries the time spent in Profiler.stop).
    if (name === '(idle)' || onStack(leaf.id, (url) => url === 'node:inspector')) continue;
    summary.total += us;
    if (name === '(garbage collector)' || name === '(program)') {
      add(summary.owners, name, us);
      continue;
    }
    let owner: string | undefined;
    for (let id: number | undefined = leaf.id; id !== undefined && !owner; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      owner = ownerOf(frame.url);
      if (owner === 'ORBIT') {
        add(summary.orbitFrames, frameName(frame), us);
        add(summary.orbitLeaves, frameName(leaf.callFrame), us);
      }
    }
    add(summary.owners, owner ?? 'other (no owner on the stack)', us);
  }
  return summary;
}

function printProfiles(summaries: ProfileSummary[]): void {
  const header = (what: string) => [what, ...summaries.map((s) => s.shape)];
  const perCall = (s: ProfileSummary, us: number) => `${pct(us / s.total)} (${(us / s.calls).toFixed(1)} µs)`;
  console.log(
    `\nPart 4: CPU profiles (node:inspector, 100 µs sampling), createAgent + ORBIT middleware, no sink; ` +
      `share of the samples (idle excluded) and µs per tool call\n`,
  );
  const owners = [...new Set(summaries.flatMap((s) => [...s.owners.keys()]))];
  console.log(
    table(
      header('nearest owner frame'),
      [
        ...owners.map((owner) => [owner, ...summaries.map((s) => perCall(s, s.owners.get(owner) ?? 0))]),
      ].concat([['all (under the profiler)', ...summaries.map((s) => perCall(s, s.total))]]),
    ),
  );
  const top = (pick: (s: ProfileSummary) => Map<string, number>) => {
    const frames = new Map<string, number>();
    for (const s of summaries)
      for (const [frame, us] of pick(s)) frames.set(frame, (frames.get(frame) ?? 0) + us / s.calls);
    return [...frames.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([frame]) => [frame, ...summaries.map((s) => perCall(s, pick(s).get(frame) ?? 0))]);
  };
  console.log('\nTop ORBIT frames: the nearest ORBIT frame of each ORBIT sample\n');
  console.log(
    table(
      header('frame'),
      top((s) => s.orbitFrames),
    ),
  );
  console.log('\nTop leaf frames of ORBIT samples: ORBIT code, or the builtin or zod code it called\n');
  console.log(
    table(
      header('leaf frame'),
      top((s) => s.orbitLeaves),
    ),
  );
}

/** `name file:line`; tsx-compiled `.ts` files get no line (it would be the compiled file's). */
function frameName(frame: { functionName: string; url: string; lineNumber: number }): string {
  const file = frame.url ? basename(frame.url.replace(/^file:\/\//, '')) : '(native)';
  const line = file.endsWith('.ts') || !frame.url ? '' : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${file}${line}`;
}
