// Part 3 of the adapter benches: tinybench's settings and its results table. tinybench is each package's
// dependency, not bench/lib's: its bench is passed in, read through the few fields the table needs.
import { secondsSince as seconds } from './clock.js';
import { table, us } from './format.js';

/** What the table reads of a tinybench `Bench` after its run. */
export interface IsolatedRun {
  readonly tasks: readonly { readonly name: string }[];
  getTask(name: string):
    | {
        readonly result: {
          readonly state: string;
          readonly latency?: { p50?: number; p99?: number; samplesCount: number };
        };
      }
    | undefined;
}

/**
 * The benches' tinybench settings: `ms` per task after 300 ms of warm-up, on the hrtime clock, a task that
 * throws failing the run. `smoke`: `ms` of warm-up and a few iterations (tinybench runs a task for its time
 * AND its iterations, 64 by default), so that a smoke run takes milliseconds per task.
 *
 * @example
 * const isolated = new Bench(isolatedOptions(ISOLATED_MS));
 */
export const isolatedOptions = (ms: number, smoke = false) => ({
  time: ms,
  warmupTime: smoke ? ms : 300,
  ...(smoke ? { iterations: 4, warmupIterations: 2 } : {}),
  timestampProvider: 'hrtimeNow' as const,
  throws: true,
});

/**
 * A completed task's latency (ms).
 *
 * @throws Error when the task did not complete.
 */
export function latencyOf(bench: IsolatedRun, name: string) {
  const { result } = bench.getTask(name)!;
  if (result.state !== 'completed' || !result.latency) throw new Error(`${name}: ${result.state}`);
  return result.latency;
}

/** Part 3's heading (with the seconds since `started`) and its table: each task's median, p99 and samples. */
export function printIsolated(
  bench: IsolatedRun,
  { ms, calls, started }: { ms: number; calls: number; started: number },
) {
  console.log(
    `\nPart 3 (${seconds(started)}): isolated (tinybench, ${ms} ms per task; calls: mean of ${calls} calls on a fresh run)\n`,
  );
  console.log(
    table(
      ['task', 'median µs', 'p99 µs', 'samples'],
      bench.tasks.map((task) => {
        const latency = latencyOf(bench, task.name);
        return [
          task.name,
          us(latency.p50! * 1e6, 2),
          us(latency.p99! * 1e6, 2),
          latency.samplesCount.toLocaleString('en-US'),
        ];
      }),
    ),
  );
}
