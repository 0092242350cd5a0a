// The benches' clocks: the monotonic ns clock, and wall time with the process's CPU time side by side.

/** The monotonic clock, ns. */
export const nowNs = () => process.hrtime.bigint();

/** Whole seconds since `from` (a `performance.now()` reading), as `12 s`. */
export const secondsSince = (from: number) => `${((performance.now() - from) / 1000).toFixed(0)} s`;

/** A sample's two clocks, ns: wall time, and the process's CPU time (every thread: V8's GC helpers too). */
export interface Clocks {
  wall: number[];
  cpu: number[];
}

/**
 * Starts both clocks; the function returned reads them. CPU time leaves out the time other processes held
 * the cores (on a shared machine, most of a loaded wall-clock sample), so it is the steadier of the two.
 *
 * @example
 * const read = stopwatch();
 * await work();
 * const { wall, cpu } = read();
 */
export function stopwatch(): () => { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  return () => {
    const elapsed = Number(process.hrtime.bigint() - wall);
    const used = process.cpuUsage(cpu);
    return { wall: elapsed, cpu: (used.user + used.system) * 1_000 };
  };
}
