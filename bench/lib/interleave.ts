// Interleaved timing of several operations in one process: each round runs every case once, in a shuffled
// order, so load from other processes falls on all of them alike. Two kinds of sample per case: batched (the
// mean of a batch of consecutive ops, on both clocks: the process's CPU time, which leaves out the time other
// processes held the cores, and wall time) and, optionally, one op per sample (wall time, the timer's own cost
// subtracted: the tail a single call sees, GC pauses, a sink's flush).
import { stopwatch } from './clock.js';
import { median, quantile, random, shuffled, sortedOf } from './stats.js';

/** One timed operation. */
export interface TimedCase {
  readonly name: string;
  /** One operation; its result is kept observable so the JIT cannot drop the work. */
  readonly op: () => unknown;
  /** `op` returns a promise, awaited inside the timing. */
  readonly async?: boolean;
  /** Untimed, before every sample, with the ops the sample will run (e.g. swap in a fresh run). */
  readonly before?: (ops: number) => void | Promise<void>;
  /** The most ops one batched sample may run (e.g. the calls a run is given). Default 50,000. */
  readonly maxBatch?: number;
  /** Also take one-op samples. */
  readonly perCall?: boolean;
}

/** How long and how finely to measure. */
export interface InterleaveOptions {
  /** Measured rounds. */
  readonly rounds: number;
  /** Rounds run first and discarded (after each case's calibration). */
  readonly warmupRounds: number;
  /** Batched samples per case and round. */
  readonly batchesPerRound: number;
  /** One-op samples per case and round (cases with `perCall`). */
  readonly callsPerRound: number;
  /** The time a batch aims at, ns: its op count is set from the calibration (long enough that the CPU clock's
   * µs resolution and a periodic cost, such as a sink's flush, are spread over many ops). */
  readonly batchNs: number;
  /** How long each case is warmed up before its calibration, ns. Default 100 batches' worth. */
  readonly warmNs?: number;
  /** The fewest operations each case's warm-up runs. Default 5,000. */
  readonly warmOps?: number;
  /** Seed of the round orders (repeatable). Default 42. */
  readonly seed?: number;
}

/** What one case measured. */
export interface CaseSamples {
  readonly name: string;
  /** Ops per batched sample. */
  readonly batch: number;
  /** CPU ns per op, each the mean of one batch. */
  readonly batched: number[];
  /** Wall ns per op of the same batches. */
  readonly batchedWall: number[];
  /** Wall ns of one op each, timer overhead subtracted (empty without `perCall`). */
  readonly perCall: number[];
  /** Per measured round, the median of that round's batched samples (CPU): series to pair with another case's. */
  readonly roundMedians: number[];
  /** The same on wall time. */
  readonly roundMediansWall: number[];
}

/** Median and p99 of samples, ns. */
export const summary = (samples: readonly number[]) => {
  const sorted = sortedOf(samples);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), samples: sorted.length };
};

const now = () => process.hrtime.bigint();

/** Keeps results observable. */
let blackhole = 0;

/** One batch of `ops` operations: wall and CPU ns per op. */
async function timeBatch(c: TimedCase, ops: number): Promise<{ wall: number; cpu: number }> {
  await c.before?.(ops);
  const { op } = c;
  let read: ReturnType<typeof stopwatch>;
  if (c.async) {
    read = stopwatch();
    for (let i = 0; i < ops; i++) blackhole ^= (await op()) === undefined ? 1 : 0;
  } else {
    read = stopwatch();
    for (let i = 0; i < ops; i++) blackhole ^= op() === undefined ? 1 : 0;
  }
  const { wall, cpu } = read();
  return { wall: wall / ops, cpu: cpu / ops };
}

async function timeOne(c: TimedCase, overhead: number): Promise<number> {
  await c.before?.(1);
  const { op } = c;
  let start: bigint;
  let end: bigint;
  if (c.async) {
    start = now();
    blackhole ^= (await op()) === undefined ? 1 : 0;
    end = now();
  } else {
    start = now();
    blackhole ^= op() === undefined ? 1 : 0;
    end = now();
  }
  return Math.max(0, Number(end - start) - overhead);
}

/** The median cost of reading the clock twice around nothing, ns. */
function timerOverhead(): number {
  const samples: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const start = now();
    samples.push(Number(now() - start));
  }
  return median(samples);
}

/**
 * Warms the case up (batches doubling in size up to the case's cap) for `warmNs` of CPU time and at least
 * `warmOps` operations (V8 compiles a function in tiers over its first thousands of calls), then sets its batch
 * from the fastest of five warm batches: the op count that takes `batchNs` of CPU time (at least 1, at most the
 * cap).
 */
async function calibrate(c: TimedCase, batchNs: number, warmNs: number, warmOps: number): Promise<number> {
  const cap = c.maxBatch ?? 50_000;
  let ops = 1;
  for (let spent = 0, done = 0; spent < warmNs || done < warmOps; ops = Math.min(cap, ops * 2)) {
    spent += ops * (await timeBatch(c, ops)).cpu;
    done += ops;
  }
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timeBatch(c, ops)).cpu);
  return Math.max(1, Math.min(cap, Math.ceil(batchNs / Math.max(1, Math.min(...warm)))));
}

/**
 * Times `cases` interleaved: calibration, `warmupRounds` discarded rounds, then `rounds` measured rounds, each
 * running every case's samples in a new shuffled order.
 *
 * @example
 * const [floor, decision] = await interleave([floorCase, decideCase], { rounds: 30, warmupRounds: 3,
 *   batchesPerRound: 20, callsPerRound: 0, batchNs: 400_000 });
 */
export async function interleave(
  cases: readonly TimedCase[],
  options: InterleaveOptions,
): Promise<CaseSamples[]> {
  const overhead = timerOverhead();
  const results = new Map<TimedCase, CaseSamples>();
  for (const c of cases) {
    const warmNs = options.warmNs ?? 100 * options.batchNs;
    const batch = await calibrate(c, options.batchNs, warmNs, options.warmOps ?? 5_000);
    results.set(c, {
      name: c.name,
      batch,
      batched: [],
      batchedWall: [],
      perCall: [],
      roundMedians: [],
      roundMediansWall: [],
    });
  }
  const next = random(options.seed ?? 42);
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const measured = round >= options.warmupRounds;
    for (const c of shuffled(cases, next)) {
      const result = results.get(c)!;
      const cpu: number[] = [];
      const wall: number[] = [];
      for (let b = 0; b < options.batchesPerRound; b++) {
        const sample = await timeBatch(c, result.batch);
        cpu.push(sample.cpu);
        wall.push(sample.wall);
      }
      const single: number[] = [];
      if (c.perCall) for (let i = 0; i < options.callsPerRound; i++) single.push(await timeOne(c, overhead));
      if (!measured) continue;
      result.batched.push(...cpu);
      result.batchedWall.push(...wall);
      result.perCall.push(...single);
      result.roundMedians.push(median(cpu));
      result.roundMediansWall.push(median(wall));
    }
  }
  if (blackhole === 2) console.log('unreachable');
  return cases.map((c) => results.get(c)!);
}
