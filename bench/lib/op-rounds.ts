// Per-operation timing for the parts that time one operation at a time (tokens, stores): operations run
// one after another or with a number in flight, in interleaved rounds in a new random order each round.
import { nowNs } from './clock.js';
import { quantile, random, shuffled, sortedOf } from './stats.js';

/** One operation to time. A `sync` one is timed in batches with no `await` (it is faster than the clock). */
export interface TimedOp {
  readonly name: string;
  readonly op: () => unknown;
  readonly sync?: boolean;
}

/** What the rounds collected for one operation. */
export interface OpSamples {
  readonly name: string;
  /** One at a time: ns per operation, one sample per operation (per batch for a `sync` one). */
  readonly sequential: number[];
  /** With `inFlight` outstanding: each operation's own latency, ns. */
  readonly inFlight: number[];
  /** With `inFlight` outstanding: operations per second, one per round. */
  readonly inFlightThroughput: number[];
  /** With `inFlight` outstanding: this process's CPU time per operation (every thread), ns, one per round. */
  readonly inFlightCpu: number[];
}

/** The rounds' settings. */
export interface RoundOptions {
  /** Rounds whose samples are dropped (JIT, connections, caches). */
  readonly warmupRounds: number;
  readonly rounds: number;
  /** Operations one at a time per operation and round (batches of `batch` for a `sync` one). */
  readonly sequentialOps: number;
  /** How many operations of a `sync` op one sample times. Default 1,000. */
  readonly batch?: number;
  /** Operations with `lanes` in flight per operation and round; 0 skips that mode. Default 0. */
  readonly inFlightOps?: number;
  /** How many operations are outstanding at all times in the in-flight mode. Default 50. */
  readonly lanes?: number;
  /** Seed of the rounds' random order. Default 16. */
  readonly seed?: number;
  /** Called before each round, untimed (e.g. a fresh object for the round). */
  readonly beforeRound?: () => unknown;
}

/** Keeps results observable so the JIT cannot drop the work. */
let sink: unknown;

/** Times `count` calls of `op` one after another, awaited: ns per call. */
async function sequentialAsync(op: () => unknown, count: number, into: number[] | undefined): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = nowNs();
    sink = await op();
    const elapsed = Number(nowNs() - start);
    into?.push(elapsed);
  }
}

/** Times `count` batches of `batch` synchronous calls of `op`: ns per call, one sample per batch. */
function sequentialSync(op: () => unknown, count: number, batch: number, into: number[] | undefined): void {
  for (let i = 0; i < count; i++) {
    const start = nowNs();
    for (let j = 0; j < batch; j++) sink = op();
    const elapsed = Number(nowNs() - start);
    into?.push(elapsed / batch);
  }
}

/**
 * Runs `count` calls of `op` with `lanes` outstanding at all times: each call's latency, calls per second,
 * and this process's CPU time per call.
 */
async function inFlight(
  op: () => unknown,
  count: number,
  lanes: number,
  into: { latencies: number[]; throughput: number[]; cpu: number[] } | undefined,
): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started++;
      const start = nowNs();
      sink = await op();
      into?.latencies.push(Number(nowNs() - start));
    }
  };
  const cpu = process.cpuUsage();
  const start = nowNs();
  await Promise.all(Array.from({ length: lanes }, lane));
  into?.throughput.push(count / (Number(nowNs() - start) / 1e9));
  const used = process.cpuUsage(cpu);
  into?.cpu.push(((used.user + used.system) * 1_000) / count);
}

/**
 * Times every operation in `warmupRounds + rounds` rounds, each round in a new random order: first each
 * one at a time, then (with `inFlightOps`) each with `lanes` outstanding. A noisy neighbour on the machine
 * then hits every operation alike, and the ratios between them hold.
 *
 * @throws whatever an operation throws (an operation that fails must fail the part, not time its error).
 * @example
 * const [mint, sign] = await timeRounds([{ name: 'mint', op: mintOnce }, { name: 'sign', op: signOnce }],
 *   { warmupRounds: 1, rounds: 7, sequentialOps: 200 });
 */
export async function timeRounds(ops: readonly TimedOp[], options: RoundOptions): Promise<OpSamples[]> {
  const { warmupRounds, rounds, sequentialOps, batch = 1_000, inFlightOps = 0, lanes = 50 } = options;
  const samples = ops.map((op) => ({
    op,
    result: {
      name: op.name,
      sequential: [],
      inFlight: [],
      inFlightThroughput: [],
      inFlightCpu: [],
    } as OpSamples,
  }));
  const order = random(options.seed ?? 16);
  for (let round = 0; round < warmupRounds + rounds; round++) {
    await options.beforeRound?.();
    const keep = round >= warmupRounds;
    for (const { op, result } of shuffled(samples, order)) {
      const into = keep ? result.sequential : undefined;
      if (op.sync) sequentialSync(op.op, sequentialOps, batch, into);
      else await sequentialAsync(op.op, sequentialOps, into);
    }
    if (inFlightOps === 0) continue;
    for (const { op, result } of shuffled(samples, order)) {
      const into = keep
        ? { latencies: result.inFlight, throughput: result.inFlightThroughput, cpu: result.inFlightCpu }
        : undefined;
      await inFlight(op.op, inFlightOps, lanes, into);
    }
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return samples.map(({ result }) => result);
}

/** The median and p99 of `values` (ns). */
export function medianP99(values: readonly number[]): { median: number; p99: number } {
  const sorted = sortedOf(values);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}
