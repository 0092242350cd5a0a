// The operations the decision part times, side by side: the floor, the core's decision, Cedar, the pieces of
// tracing and audit alone, and ORBIT's guarded call with each combination of tracing and audit.
import { readFileSync } from 'node:fs';
import type { AuthorizationAnswer } from '@cedar-policy/cedar-wasm/nodejs';
import { blockHash, lineHash } from '@orbit-agents/core/audit';
import { decide } from '@orbit-agents/core/gate';
import type { TimedCase } from '../../lib/interleave.js';
import { allows, preparse, statefulCall, textCall } from './cedar.js';
import { conditionCases } from './conditions.js';
import {
  EXECUTE_ARGS,
  gateOf,
  gateRequest,
  guardRequest,
  loadBenchManifest,
  type Reporting,
  RunPool,
  sdkTracing,
  updateInvoice,
} from './orbit.js';
import { BLOCKED, FLOOR_RUN, floorDecide, PROCEED } from './policy.js';

/** The cases' names: the part's comparisons and targets refer to them. */
export const CASE = {
  floor: 'floor: Map lookup + comparisons',
  decide: 'decide (proceed)',
  decideHalt: 'decide (blocked tool: halt)',
  cedar: 'Cedar statefulIsAuthorized (pre-parsed, allow)',
  cedarBlocked: 'Cedar statefulIsAuthorized (pre-parsed, blocked tool: deny)',
  cedarEmpty: 'Cedar statefulIsAuthorized (empty policy set)',
  cedarText: 'Cedar isAuthorized (policies parsed per call)',
  span: 'OTel SDK span alone (startSpan + end)',
  hash: 'SHA-256 of one audit line alone (lineHash)',
  block: 'SHA-256 of a full 64 KiB audit block (blockHash, its seal)',
  guard: 'run.guard (no sink, no-op tracer)',
  guardOtel: 'run.guard + OTel SDK',
  guardChained: 'run.guard + chained JSONL audit',
  guardUnchained: 'run.guard + unchained JSONL audit',
  guardBoth: 'run.guard + OTel SDK + chained JSONL audit',
  execute: 'run.execute (no sink, no-op tracer)',
  executeOtel: 'run.execute + OTel SDK',
  executeChained: 'run.execute + chained JSONL audit',
  executeBoth: 'run.execute + OTel SDK + chained JSONL audit',
} as const;

/** A run of this many calls, then a fresh one (the figure of packages/core/bench/run.ts). */
export const CALLS_PER_RUN = 1_000;

/**
 * Builds the cases and what they need (deployments, tracer, sinks); `close` ends the runs, shuts the SDK
 * down and removes the audit files.
 */
export async function buildCases(perRun: number) {
  const loaded = await loadBenchManifest();
  const { policy, state } = gateOf(loaded);
  const proceed = gateRequest(PROCEED);
  const blocked = gateRequest(BLOCKED);
  const sdk = sdkTracing();
  const pool = (reporting: Reporting) => new RunPool(loaded, reporting, perRun);
  const pools = {
    guard: pool({}),
    guardOtel: pool({ tracer: sdk.tracer }),
    guardChained: pool({ audit: 'chained' }),
    guardUnchained: pool({ audit: 'unchained' }),
    guardBoth: pool({ tracer: sdk.tracer, audit: 'chained' }),
    execute: pool({}),
    executeOtel: pool({ tracer: sdk.tracer }),
    executeChained: pool({ audit: 'chained' }),
    executeBoth: pool({ tracer: sdk.tracer, audit: 'chained' }),
  };
  const guarded = (name: keyof typeof pools): CheckedCase => {
    const p = pools[name];
    return {
      name: CASE[name],
      op: () => p.run.guard(guardRequest()),
      before: (ops) => p.reserve(ops),
      maxBatch: perRun,
      perCall: true,
      check: (decision) => (decision as { decision: string }).decision === 'proceed',
    };
  };
  const executed = (name: keyof typeof pools): CheckedCase => {
    const p = pools[name];
    return {
      name: CASE[name],
      op: () => p.run.execute(updateInvoice, EXECUTE_ARGS),
      async: true,
      before: (ops) => p.reserve(ops),
      maxBatch: perRun,
      perCall: true,
      check: (result) => (result as { status: string }).status === 'executed',
    };
  };
  const decision = (kind: string) => (verdict: unknown) =>
    (verdict as { decision: string }).decision === kind;
  const cedar = (allowed: boolean) => (answer: unknown) => allows(answer as AuthorizationAnswer) === allowed;
  const line = await auditLine(pools.guardChained);
  const conditions = await conditionCases(preparse);
  // What a sink seals when its buffer fills (64 Ki characters): whole lines, each with its newline.
  const block = `${line}\n`.repeat(Math.ceil((64 * 1024) / (line.length + 1)));
  const cases: CheckedCase[] = [
    { name: CASE.floor, op: () => floorDecide(PROCEED), check: (answer) => answer === FLOOR_RUN },
    { name: CASE.decide, op: () => decide(policy, proceed, state), check: decision('proceed') },
    { name: CASE.decideHalt, op: () => decide(policy, blocked, state), check: decision('halt') },
    { name: CASE.cedar, op: statefulCall(PROCEED), perCall: true, check: cedar(true) },
    { name: CASE.cedarBlocked, op: statefulCall(BLOCKED), perCall: true, check: cedar(false) },
    { name: CASE.cedarEmpty, op: statefulCall(PROCEED, true), check: cedar(false) },
    { name: CASE.cedarText, op: textCall(PROCEED), check: cedar(true) },
    {
      name: CASE.span,
      op: () => sdk.tracer.startSpan('orbit.bench').end(),
      check: (nothing) => nothing === undefined,
    },
    { name: CASE.hash, op: () => lineHash(line), check: (hash) => String(hash).startsWith('sha256:') },
    { name: CASE.block, op: () => blockHash(block), check: (hash) => String(hash).startsWith('sha256:') },
    ...conditions.cases,
    guarded('guard'),
    guarded('guardOtel'),
    guarded('guardChained'),
    guarded('guardUnchained'),
    guarded('guardBoth'),
    executed('execute'),
    executed('executeOtel'),
    executed('executeChained'),
    executed('executeBoth'),
  ];
  const close = async () => {
    for (const p of Object.values(pools)) await p.close();
    await sdk.shutdown();
  };
  return { cases, line, block, close, conditionTable: conditions.table };
}

/** A timed case and what its operation must return (checked once before timing). */
export interface CheckedCase extends TimedCase {
  check(result: unknown): boolean;
}

/**
 * Runs each case's operation once and checks its result: each case measures the path it claims to.
 *
 * @throws Error naming the first case whose result is not the expected one.
 */
export async function checkCases(cases: readonly CheckedCase[]): Promise<void> {
  for (const c of cases) {
    await c.before?.(1);
    const result = c.async ? await c.op() : c.op();
    if (!c.check(result)) throw new Error(`bench setup: ${c.name} returned ${JSON.stringify(result)}`);
  }
}

/**
 * The chained audit line of one timed call: guarded on `pool` (counted in its run), read back from its file.
 *
 * @throws Error when the file holds no decision line (the sink did not write the call).
 */
async function auditLine(pool: RunPool): Promise<string> {
  await pool.reserve(1);
  pool.run.guard(guardRequest());
  pool.sink!.flush();
  const line = readFileSync(pool.sink!.path, 'utf8')
    .split('\n')
    .find((text) => text.includes('"event":"decision"'));
  if (line === undefined) throw new Error('bench setup: the chained sink wrote no decision line');
  return line;
}
