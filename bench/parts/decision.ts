// Part 1 of issue 16: the core's decision and the guarded call (in-memory ledger; no-op tracer; the OpenTelemetry
// SDK with a batch processor; the hash-chained audit), next to the floor (a bare `Map` lookup and comparisons)
// and next to Cedar (`@cedar-policy/cedar-wasm`, policies pre-parsed) deciding the same request from an
// equivalent policy set. Every operation is timed in one process, interleaved round by round.
import { loadavg } from 'node:os';
import { type InterleaveOptions, interleave } from '../lib/interleave.js';
import type { BenchMode, BenchPart, PartResult } from '../lib/results.js';
import { buildCases, CALLS_PER_RUN, checkCases } from './decision/cases.js';
import { cedarVersion, preparseCedar } from './decision/cedar.js';
import { CEDAR_CONDITIONS } from './decision/conditions.js';
import { checkEquivalence } from './decision/equivalence.js';
import { loadBenchManifest } from './decision/orbit.js';
import { CEDAR_POLICIES } from './decision/policy.js';
import { breakdown, comparisonsOf, PER_CALL, Samples, targetsOf } from './decision/report.js';

/** Each mode's rounds. Smoke: a few samples of every case, and runs short enough that they are replaced. */
const SETTINGS: Record<BenchMode, InterleaveOptions & { perRun: number }> = {
  full: {
    rounds: 30,
    warmupRounds: 3,
    batchesPerRound: 6,
    callsPerRound: 100,
    batchNs: 2_000_000,
    perRun: CALLS_PER_RUN,
  },
  smoke: {
    rounds: 2,
    warmupRounds: 1,
    batchesPerRound: 2,
    callsPerRound: 3,
    batchNs: 20_000,
    warmNs: 100_000,
    warmOps: 20,
    perRun: 4,
  },
};

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/**
 * The decision part: checks that ORBIT, the floor and Cedar decide a table of requests alike, then times them
 * and ORBIT's guarded call with each combination of tracing and audit.
 *
 * @throws Error when the deciders disagree on a request, or a setup check fails.
 */
export const decisionPart: BenchPart = async (mode) => {
  const settings = SETTINGS[mode];
  const loadBefore = load();
  preparseCedar();
  const equivalence = checkEquivalence(await loadBenchManifest());
  const { cases, line, block, close, conditionTable } = await buildCases(settings.perRun);
  const linesPerBlock = block.length / (line.length + 1);
  let samples: Samples;
  try {
    await checkCases(cases);
    samples = new Samples(await interleave(cases, settings));
  } finally {
    await close();
  }
  const batches = samples.all.map((s) => `${s.name}: ${s.batch}`).join('; ');
  const result: PartResult = {
    part: 'decision',
    title: 'The decision and the guarded call, next to a Map lookup and Cedar',
    measurements: samples.measurements(),
    comparisons: comparisonsOf(samples),
    // A smoke run's figures mean nothing: its targets are not judged.
    targets: targetsOf(samples, linesPerBlock).map((t) =>
      mode === 'smoke'
        ? { ...t, status: 'not measured', cause: 'smoke run (a few samples): its figures mean nothing' }
        : t,
    ),
    notes: [
      `Method: every operation in one process, interleaved: after each case's warm-up and calibration and ${settings.warmupRounds} discarded warm-up rounds, ${settings.rounds} rounds each run every case in a new shuffled order, ${settings.batchesPerRound} batched samples per case and round, then for the guarded calls and Cedar ${settings.callsPerRound} samples of one operation each. A batched sample is the mean of a batch of consecutive operations aiming at ${settings.batchNs / 1e6} ms, long enough to spread the audit sink's flushes (every 64 Ki characters) and the collections of a run's garbage over its calls, timed on the process's CPU time (\`process.cpuUsage()\`: it leaves out the time other processes held the cores of this shared machine; wall-clock figures are given beside the main target). A one-operation sample (rows ending in "${PER_CALL}") is wall time (\`process.hrtime.bigint()\`, the clock's own cost subtracted): its p99 is the tail a single call sees, a sink's flush, a GC pause or another process. Median and p99 are over the samples, in ns per operation. "Added" in the targets is the median of the per-round differences between the two cases' round medians, with a bootstrap 95% interval. Batch sizes (operations): ${batches}.`,
      `The request: the write tool \`update_invoice_status\` (\`partial\`, threshold 0.88, resources \`invoice:*\`) at confidence 0.95 on \`invoice:INV-1001\`, at maturity level 3, every budget set too high to fire (the manifest of packages/core/bench/run.ts), so it runs. \`decide\` gets the gate's compiled policy and an empty \`MemoryLedger\`; \`run.guard\` gets a new request object per call (tool, args, confidence, one record, resource) on a run of ${settings.perRun.toLocaleString('en-US')} calls, then a fresh run (ended, its audit file emptied, outside the timing); \`run.execute(tool, args)\` reads the confidence, validates the input with zod, guards, runs a trivial synchronous tool and records the outcome. The no-op tracer is the OpenTelemetry API's default (no SDK registered); "OTel SDK" is \`createOrbit({ telemetry: { tracer } })\` with a \`TracerProvider\` and a \`BatchSpanProcessor\` whose exporter drops the spans (no context manager); "chained JSONL audit" is \`new JsonlFileSink(path)\` in the temp directory (the default: chained, each line led by \`seq\` and each flushed block sealed on its last line with the SHA-256 of its other lines and the hash of the line before it), "unchained" the same with \`{ chain: false }\`. \`run.guard\` starts the call's span but does not end it (no outcome is recorded); \`run.execute\` ends it.`,
      `The floor: the tool's entry from a \`Map\`, a blocked \`Set\`, the resource prefix and the floor and threshold comparisons, returning a number: the least any decision does. Every case is called through the same loop (one megamorphic call site), so none is inlined into it.`,
      `Cedar ${cedarVersion} (\`@cedar-policy/cedar-wasm\`, its Node.js build): the policy set below pre-parsed once with \`preparsePolicySet\` and each call decided with \`statefulIsAuthorized\`, the fastest correct call of the package (\`isAuthorized\` with the policies as text parses them on every call: timed beside it). The request object is built once, outside the timing; no schema, no entities. The confidence is a Cedar \`decimal\` (four decimal places). The same call on an empty pre-parsed policy set is timed too: the cost of Cedar's bindings before any policy is evaluated.\n\n\`\`\`cedar${CEDAR_POLICIES}\`\`\``,
      `Before timing, ORBIT (\`decide\` and \`run.guard\` on a fresh run), the floor and Cedar (pre-parsed and as text) decided each request below, and the part checks that they agree (allow = ORBIT's \`proceed\`; a pause or a halt is Cedar's deny):\n\n${equivalence}`,
      `What tracing and audit add to \`run.guard\`: ${breakdown(samples, linesPerBlock)}. The decision line is ${line.length} characters; a full block (what a sink seals when its 64 Ki-character buffer fills) ${linesPerBlock.toFixed(0)} of them.`,
      `Argument conditions (issue 14): the tool \`refund_order\` with five CEL conditions in its manifest entry (\`pause_when: args.amount > 500\`, \`require: args.currency in ['USD', 'EUR']\`, \`require: args.order_id.startsWith('#W')\`, \`require: has(args.reason)\`, \`block_when: args.items > 10\`), decided by \`decide\` with the call's arguments (every condition holds, so it proceeds); the same tool without conditions beside it; and Cedar deciding the same request from the equivalent policy (the arguments as the request's context; a pause is a deny):\n\n\`\`\`cedar${CEDAR_CONDITIONS}\`\`\`\n\nBefore timing, both decided these requests and the part checks that they agree:\n\n${conditionTable}`,
      `Load average (1, 5, 15 min): ${loadBefore} before, ${load()} after.`,
    ],
  };
  return result;
};
